/**
 * Export benchmark on a synthetic 720p scene (three objects, exact masks, JPEG frames as a
 * decoded session holds them): the
 * overlay MP4 export against bare ffmpeg encoding the same raw frames with the same x264 settings
 * (`overlayExportRatio` = export fps / bare fps, target ≥ 0.7), and milliseconds per frame of
 * every other format.
 *
 *   npm run bench:export [-- --frames 60 --size 1280x720 --repeats 3 --only overlay-mp4,coco-json --json]
 *                        [--decoded-masks]   (overlay from decoded masks instead of their runs)
 *
 * With `--json` the last line is one JSON object with every figure.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fpsRational } from '../src/export/ffmpeg-pipe.ts';
import { lowerPriority, withThreads } from '../src/export/process-priority.ts';
import { EXPORT_FORMATS } from '../src/export/registry.ts';
import { snapshotSession } from '../src/export/session-source.ts';
import type { ExportSource } from '../src/export/types.ts';
import { H264_ARGS } from '../src/export/video-exports.ts';
import { runProcess } from '../src/media/process.ts';
import { describeMediaTools, getMediaTools } from '../src/media/tools.ts';
import { sessionStateOf } from '../test/export-harness.ts';
import { makeScene } from '../test/support/synthetic.ts';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '60' },
    size: { type: 'string', default: '1280x720' },
    repeats: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    /** Comma-separated format ids to time besides the overlay (default: all). */
    only: { type: 'string' },
    /** Hide the masks' runs from the exports, so the overlay decodes every mask (the older path). */
    'decoded-masks': { type: 'boolean', default: false },
  },
});
const repeats = Math.max(1, Number(values.repeats));
const [width, height] = values.size.split('x').map(Number) as [number, number];
const frames = Math.max(2, Number(values.frames));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

/** Wall-clock and CPU milliseconds of one run. */
interface Run {
  wall: number;
  cpu: number;
}

/**
 * CPU milliseconds used so far by this process and its finished children (ffmpeg), from
 * /proc/self/stat (utime, stime, cutime, cstime in clock ticks, 100 per second on Linux).
 */
function cpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command name start at field 3 (state); utime is field 14.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks * 10;
}

const tools = await getMediaTools();
const dir = await mkdtemp(join(tmpdir(), 'roto-bench-export-'));

async function ffmpeg(args: string[]): Promise<void> {
  const res = await runProcess(tools.ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  if (res.exitCode !== 0) throw new Error(res.stderr);
}
try {
  console.log(describeMediaTools(tools));
  console.log(`scene: ${width}×${height}, ${frames} frames, 3 objects, repeats ${repeats}`);
  const scene = makeScene({ width, height, frames, fps: 30 });
  const framesDir = join(dir, 'frames');
  await mkdir(framesDir);
  // Baseline input: the scene's raw RGB frames in one file, read by ffmpeg itself.
  const raw = join(dir, 'frames.rgb');
  await writeFile(raw, Buffer.concat(scene.frames.map((f) => f.data)));
  // Frames as a session holds them: ffmpeg's mjpeg at -q:v 2, 4:2:0 (what media/decode.ts writes).
  await ffmpeg([
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', raw],
    ...[
      '-c:v',
      'mjpeg',
      '-q:v',
      '2',
      '-pix_fmt',
      'yuvj420p',
      '-start_number',
      '0',
      join(framesDir, '%05d.jpg'),
    ],
  ]);
  // The source a live session gives exports: masks kept as RM run-length bytes (decoded on
  // demand, or read as runs by the exports that can).
  const source: ExportSource = snapshotSession(sessionStateOf(scene), { framesDir, title: 'bench' }).source;
  if (values['decoded-masks']) delete source.maskRuns;

  // The baseline encodes with what an export's encoder gets: the same x264 settings, the same
  // thread bound and the same lowered priority (`process-priority.ts`).
  const bare = async (): Promise<Run> => {
    const t0 = process.hrtime.bigint();
    const c0 = cpuMs();
    const args = withThreads([
      ...['-hide_banner', '-nostdin', '-v', 'error', '-y'],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', fpsRational(scene.fps)],
      ...['-i', raw, ...H264_ARGS, '-movflags', '+faststart', join(dir, 'bare.mp4')],
    ]);
    const child = spawn(tools.ffmpeg.path, args, { stdio: 'ignore' });
    lowerPriority(child.pid);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`bare ffmpeg exited with ${code}`);
    return { wall: ms(t0), cpu: cpuMs() - c0 };
  };
  const runFormat = async (id: string): Promise<Run> => {
    const f = EXPORT_FORMATS.find((x) => x.id === id)!;
    const t0 = process.hrtime.bigint();
    const c0 = cpuMs();
    await f.run(source, join(dir, `out-${id}.${f.extension}`));
    return { wall: ms(t0), cpu: cpuMs() - c0 };
  };
  const timeFormat = async (id: string): Promise<number> => (await runFormat(id)).wall;

  // Warm-up (binary and page cache), then alternate baseline and export; the median is kept
  // because these machines are shared and one run can be off by 2×.
  await bare();
  await timeFormat('overlay-mp4');
  const bareRuns: Run[] = [];
  const overlayRuns: Run[] = [];
  for (let r = 0; r < repeats; r++) {
    bareRuns.push(await bare());
    overlayRuns.push(await runFormat('overlay-mp4'));
  }
  const bareFps = frames / (median(bareRuns.map((r) => r.wall)) / 1000);
  const overlayFps = frames / (median(overlayRuns.map((r) => r.wall)) / 1000);
  const bareCpu = median(bareRuns.map((r) => r.cpu)) / frames;
  const overlayCpu = median(overlayRuns.map((r) => r.cpu)) / frames;
  const result: Record<string, number> = {
    frames,
    width,
    height,
    bareEncodeFps: round(bareFps, 1),
    overlayExportFps: round(overlayFps, 1),
    overlayExportRatio: round(overlayFps / bareFps, 3),
    bareCpuMsPerFrame: round(bareCpu),
    overlayCpuMsPerFrame: round(overlayCpu),
    overlayCpuRatio: round(bareCpu / overlayCpu, 3),
  };
  console.log(
    `bare ffmpeg x264 of the raw frames: ${result.bareEncodeFps} fps, ${result.bareCpuMsPerFrame} CPU ms/frame`,
  );
  console.log(
    `overlay MP4 export:                 ${result.overlayExportFps} fps, ${result.overlayCpuMsPerFrame} CPU ms/frame`,
  );
  console.log(`overlayExportRatio = ${result.overlayExportRatio} (wall clock, target ≥ 0.7)`);
  console.log(
    `overlayCpuRatio    = ${result.overlayCpuRatio} (CPU time of every process involved; steadier on a shared machine)`,
  );

  const single = new Set(['mask-png', 'cutout-png']);
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  for (const f of EXPORT_FORMATS) {
    if (f.id === 'overlay-mp4' || (only && !only.has(f.id))) continue;
    const runs: number[] = [];
    for (let r = 0; r < repeats; r++) runs.push(await timeFormat(f.id));
    // Single-frame formats write one frame whatever the source length.
    const perFrame = median(runs) / (single.has(f.id) ? 1 : frames);
    const key = `${f.id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}MsPerFrame`;
    result[key] = round(perFrame);
    console.log(`${f.label.padEnd(42)} ${round(perFrame).toFixed(2).padStart(8)} ms/frame`);
  }
  if (values.json) console.log(JSON.stringify(result));
} finally {
  await rm(dir, { recursive: true, force: true });
}
