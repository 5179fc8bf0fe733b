import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecodeProgress, decodeFrames, fitEven, framePath, readFrameRgb } from '../src/media/decode.ts';
import { MediaError } from '../src/media/errors.ts';
import { probeVideo } from '../src/media/probe.ts';
import { ffmpeg, makeTempDir, makeVideo } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
const p = (name: string) => join(dir, name);
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Frame `index` of `video` as a PNG made by ffmpeg directly, the reference to compare with. */
async function referencePng(video: string, index: number): Promise<string> {
  const out = `${video}.ref${index}.png`;
  if (!(await exists(out)))
    await ffmpeg(['-i', video, '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', out]);
  return out;
}

async function referenceFrame(video: string, index: number): Promise<Buffer> {
  return sharp(await referencePng(video, index))
    .removeAlpha()
    .raw()
    .toBuffer();
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function failure(promise: Promise<unknown>): Promise<MediaError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await Promise.all([
    makeVideo(p('a.mp4'), { width: 96, height: 64, fps: 10, frames: 24 }),
    makeVideo(p('odd.webm'), { width: 99, height: 45, fps: 8, frames: 12, codec: 'libvpx-vp9' }),
    makeVideo(p('long.mp4'), { width: 320, height: 240, fps: 25, frames: 300 }),
  ]);
});
afterAll(() => cleanup());

describe('fitEven', () => {
  it('caps the long side, keeps the aspect and makes both sides even', () => {
    expect(fitEven(1920, 1080, 1280)).toEqual({ width: 1280, height: 720 });
    expect(fitEven(1080, 1920, 1280)).toEqual({ width: 720, height: 1280 });
    expect(fitEven(99, 45, 1280)).toEqual({ width: 100, height: 46 });
    expect(fitEven(640, 480, 1280)).toEqual({ width: 640, height: 480 });
    expect(fitEven(4000, 2, 1000)).toEqual({ width: 1000, height: 2 });
  });
});

describe('decodeFrames', () => {
  it('writes exactly one JPEG per frame at the capped size and reports progress up to 100 %', async () => {
    const progress: DecodeProgress[] = [];
    const out = await decodeFrames(p('a.mp4'), p('frames-a'), {
      maxLongSide: 48,
      onProgress: (e) => progress.push(e),
    });
    expect(out).toMatchObject({ width: 48, height: 32, fps: 10, frameCount: 24 });
    const files = (await readdir(p('frames-a'))).sort();
    expect(files).toHaveLength(24);
    expect(files[0]).toBe('00000.jpg');
    expect(files[23]).toBe('00023.jpg');
    for (const f of [files[0], files[23]]) {
      const meta = await sharp(join(p('frames-a'), f!)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 48, 32]);
    }
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ framesDone: 24, totalFrames: 24, ratio: 1 });
    expect(progress.every((e, i) => i === 0 || e.framesDone >= progress[i - 1]!.framesDone)).toBe(true);
  });

  it('decodes the right pictures, in order', async () => {
    const out = await decodeFrames(p('a.mp4'), p('frames-full'));
    expect([out.width, out.height]).toEqual([96, 64]);
    const frame10 = await readFrameRgb(framePath(p('frames-full'), 10));
    expect([frame10.width, frame10.height, frame10.data.length]).toEqual([96, 64, 96 * 64 * 3]);
    const [ref10, ref0] = await Promise.all([referenceFrame(p('a.mp4'), 10), referenceFrame(p('a.mp4'), 0)]);
    const toRight = meanAbsDiff(frame10.data, ref10);
    // JPEG with 4:2:0 chroma on testsrc's sharp colour edges costs a few levels on average.
    expect(toRight).toBeLessThan(10);
    // testsrc changes every frame (a counter, a moving gradient): the wrong frame is clearly further.
    expect(meanAbsDiff(frame10.data, ref0)).toBeGreaterThan(toRight * 2);
  });

  it('keeps odd-sized videos even and counts WebM frames exactly', async () => {
    const out = await decodeFrames(p('odd.webm'), p('frames-odd'));
    expect(out).toMatchObject({ width: 100, height: 46, frameCount: 12 });
    expect(await readdir(p('frames-odd'))).toHaveLength(12);
  });

  it('decodes a rotated video upright', async () => {
    await ffmpeg(['-i', p('a.mp4'), '-c', 'copy', '-metadata:s:v', 'rotate=90', p('rot.mp4')]);
    const out = await decodeFrames(p('rot.mp4'), p('frames-rot'));
    expect([out.width, out.height, out.frameCount]).toEqual([64, 96, 24]);
    const frame = await readFrameRgb(framePath(p('frames-rot'), 5));
    expect([frame.width, frame.height]).toEqual([64, 96]);
    // A display rotation of 90° counter-clockwise, as players show it.
    const upright = await sharp(await referencePng(p('a.mp4'), 5))
      .rotate(270)
      .raw()
      .toBuffer();
    const upsideDown = await sharp(await referencePng(p('a.mp4'), 5))
      .rotate(90)
      .raw()
      .toBuffer();
    expect(meanAbsDiff(frame.data, upright)).toBeLessThan(10);
    expect(meanAbsDiff(frame.data, upsideDown)).toBeGreaterThan(30);
  });

  it('stretches non-square pixels to their displayed shape', async () => {
    await makeVideo(p('anamorphic.mp4'), { width: 64, height: 48, frames: 6, extra: ['-vf', 'setsar=2'] });
    const info = await probeVideo(p('anamorphic.mp4'));
    expect([info.width, info.height, info.sampleAspectRatio]).toEqual([128, 48, 2]);
    const out = await decodeFrames(p('anamorphic.mp4'), p('frames-sar'), { info });
    expect([out.width, out.height, out.frameCount]).toEqual([128, 48, 6]);
  });

  it('refuses a truncated MP4 whose index survived, and leaves no frames behind', async () => {
    // Index first (faststart), then cut the media data: probing succeeds, decoding cannot.
    await makeVideo(p('fast.mp4'), { width: 96, height: 64, frames: 40, extra: ['-movflags', '+faststart'] });
    const bytes = await readFile(p('fast.mp4'));
    await writeFile(p('truncated.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect((await probeVideo(p('truncated.mp4'))).frameCount).toBe(40);

    const err = await failure(decodeFrames(p('truncated.mp4'), p('frames-trunc')));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', reason: 'TRUNCATED' });
    expect(err.message).toMatch(/damaged or incomplete/);
    expect(err.message).toContain('of 40 frames');
    expect(await exists(p('frames-trunc'))).toBe(false);
  });

  it('does not follow an HLS playlist named .mp4 (format whitelist), and leaves nothing behind', async () => {
    await ffmpeg(['-i', p('a.mp4'), '-c', 'copy', '-f', 'mpegts', p('seg.ts')]);
    await writeFile(
      p('playlist.mp4'),
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXTINF:2.4,\nseg.ts\n#EXT-X-ENDLIST\n',
    );
    // Skip the probe (which would refuse the text by sniffing) to exercise ffmpeg's own guard.
    const info = await probeVideo(p('a.mp4'));
    const err = await failure(decodeFrames(p('playlist.mp4'), p('frames-hls'), { info }));
    expect(err).toMatchObject({ code: 'UNSUPPORTED_MEDIA', reason: 'CONTAINER_NOT_ALLOWED' });
    expect(await exists(p('frames-hls'))).toBe(false);
  });

  it('cancels on abort: ffmpeg stops, the partial frames are removed, the call rejects with CANCELLED', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const promise = decodeFrames(p('long.mp4'), p('frames-cancel'), {
      signal: controller.signal,
      onProgress: (e) => {
        seen.push(e.framesDone);
        if (e.framesDone > 0) controller.abort();
      },
    });
    // On a fast machine ffmpeg may report only at the end; abort on the first written frame too.
    const poll = setInterval(() => {
      readdir(p('frames-cancel')).then(
        (f) => f.length > 0 && controller.abort(),
        () => undefined,
      );
    }, 5);
    const err = await failure(promise).finally(() => clearInterval(poll));
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(await exists(p('frames-cancel'))).toBe(false);
  });

  it('refuses to write into a folder that already holds files', async () => {
    const err = await failure(decodeFrames(p('a.mp4'), p('frames-a')));
    expect(err.code).toBe('CONFLICT');
    expect(await readdir(p('frames-a'))).toHaveLength(24);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const err = await failure(decodeFrames(p('a.mp4'), p('frames-never'), { signal: AbortSignal.abort() }));
    expect(err.code).toBe('CANCELLED');
    expect(await exists(p('frames-never'))).toBe(false);
  });

  it('stops at its time limit with TIMEOUT and leaves nothing behind', async () => {
    const info = await probeVideo(p('long.mp4'));
    const err = await failure(decodeFrames(p('long.mp4'), p('frames-timeout'), { info, timeoutMs: 1 }));
    expect(err.code).toBe('TIMEOUT');
    expect(await exists(p('frames-timeout'))).toBe(false);
  });

  it('handles file and folder names that look like protocols, options or patterns', async () => {
    const { copyFile } = await import('node:fs/promises');
    await copyFile(p('odd.webm'), p('-http:50%.webm'));
    const out = await decodeFrames(p('-http:50%.webm'), p('-pipe:%d frames'));
    expect(out.frameCount).toBe(12);
    expect((await readdir(p('-pipe:%d frames'))).sort().at(-1)).toBe('00011.jpg');
  });
});
