/**
 * Media benchmark: decoding a 720p video to JPEG frames through `decodeFrames` (probe, whitelists,
 * progress parsing, verification) against the bare ffmpeg command doing the same decode, plus the
 * thumbnail strip and an image re-encode. Prints each figure and the ratio to its baseline.
 *
 *   npm run bench:media [-- --frames 150 --size 1280x720 --repeats 5]
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { type DecodedVideo, decodeFrames, fitEven, framePath } from '../src/media/decode.ts';
import { reencodeImage } from '../src/media/image.ts';
import { runProcess } from '../src/media/process.ts';
import { buildThumbnailStrip } from '../src/media/thumbnails.ts';
import { describeMediaTools, getMediaTools } from '../src/media/tools.ts';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '150' },
    size: { type: 'string', default: '1280x720' },
    repeats: { type: 'string', default: '5' },
  },
});
const repeats = Math.max(1, Number(values.repeats));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const frames = Number(values.frames);
const tools = await getMediaTools();
const dir = await mkdtemp(join(tmpdir(), 'roto-bench-media-'));
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function ffmpeg(args: string[]): Promise<void> {
  const res = await runProcess(tools.ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  if (res.exitCode !== 0) throw new Error(res.stderr);
}

try {
  console.log(describeMediaTools(tools));
  const video = join(dir, 'in.mp4');
  await ffmpeg(
    ['-f', 'lavfi', '-i', `testsrc2=size=${values.size}:rate=30`, '-frames:v', String(frames)].concat([
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '30',
      video,
    ]),
  );

  // Baseline: the same decode with nothing around it. Runs alternate and the median is kept,
  // because these machines are shared and a single run can be off by 2×.
  await ffmpeg(['-i', video, '-frames:v', '1', join(dir, 'warm.jpg')]); // page cache, binary loaded
  // The same output size as decodeFrames (long side capped at 1280), so both do the same work.
  const [srcW, srcH] = values.size.split('x').map(Number) as [number, number];
  const fit = fitEven(srcW, srcH, 1280);
  const scale =
    fit.width === srcW && fit.height === srcH ? [] : ['-vf', `scale=${fit.width}:${fit.height}:flags=area`];
  const bare: number[] = [];
  const wrapped: number[] = [];
  let out: DecodedVideo | undefined;
  let reports = 0;
  for (let r = 0; r < repeats; r++) {
    const bareDir = join(dir, `bare${r}`);
    await mkdir(bareDir);
    let t0 = process.hrtime.bigint();
    await ffmpeg([
      '-i',
      video,
      ...scale,
      '-vsync',
      'passthrough',
      '-q:v',
      '2',
      '-start_number',
      '0',
      join(bareDir, '%05d.jpg'),
    ]);
    bare.push(ms(t0));
    await rm(bareDir, { recursive: true });

    const framesDir = join(dir, `frames${r}`);
    if (out) await rm(out.framesDir, { recursive: true });
    reports = 0;
    t0 = process.hrtime.bigint();
    out = await decodeFrames(video, framesDir, { onProgress: () => reports++ });
    wrapped.push(ms(t0));
  }
  if (!out) throw new Error('no runs');
  const bareMs = median(bare);
  const wrappedMs = median(wrapped);
  console.log(
    `decode ${out.frameCount} frames ${out.width}×${out.height} to JPEG q2 (median of ${repeats}):`,
  );
  console.log(`  bare ffmpeg      ${bareMs.toFixed(0)} ms  ${((frames / bareMs) * 1000).toFixed(0)} fps`);
  console.log(
    `  decodeFrames     ${wrappedMs.toFixed(0)} ms  ${((frames / wrappedMs) * 1000).toFixed(0)} fps  ` +
      `(ratio ${(wrappedMs / bareMs).toFixed(2)}× bare; probe and checks included; ${reports} progress reports)`,
  );

  let t0 = process.hrtime.bigint();
  const index = await buildThumbnailStrip(out.framesDir, out.frameCount, join(dir, 'thumbs'));
  console.log(
    `thumbnail strip (${index.tiles.length} tiles ${index.tileWidth}×${index.tileHeight}): ${ms(t0).toFixed(0)} ms`,
  );

  const jpeg = await readFile(framePath(out.framesDir, 0));
  t0 = process.hrtime.bigint();
  const plain = await sharp(jpeg).jpeg({ quality: 90 }).toBuffer();
  const plainMs = ms(t0);
  t0 = process.hrtime.bigint();
  await reencodeImage(jpeg);
  const reMs = ms(t0);
  console.log(
    `image re-encode ${out.width}×${out.height} JPEG: reencodeImage ${reMs.toFixed(1)} ms vs bare sharp ${plainMs.toFixed(1)} ms ` +
      `(ratio ${(reMs / plainMs).toFixed(2)}×; ${plain.length} bytes)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
