import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRotoError } from '@roto/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../src/media/errors.ts';
import { probeVideo, runFfprobe } from '../src/media/probe.ts';
import { ffmpeg, makeTempDir, makeVideo } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
const p = (name: string) => join(dir, name);

/** Resolves to the MediaError a promise rejects with (fails the test if it resolves). */
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
    makeVideo(p('a.mp4'), { width: 96, height: 64, fps: 10, frames: 24, audio: true }),
    makeVideo(p('b.webm'), { width: 80, height: 48, fps: 12, frames: 18, codec: 'libvpx-vp9' }),
    makeVideo(p('c.avi'), { width: 64, height: 48, fps: 25, frames: 10, codec: 'mpeg4' }),
  ]);
  await ffmpeg(['-i', p('a.mp4'), '-c', 'copy', '-an', '-metadata:s:v', 'rotate=90', p('rotated.mp4')]);
});
afterAll(() => cleanup());

describe('probeVideo', () => {
  it('reads size, rate, frame count, duration, codec and audio of an MP4', async () => {
    const info = await probeVideo(p('a.mp4'));
    expect(info).toMatchObject({
      width: 96,
      height: 64,
      fps: 10,
      fpsRational: '10/1',
      frameCount: 24,
      frameCountSource: 'header',
      codec: 'h264',
      hasAudio: true,
      rotation: 0,
    });
    expect(info.durationSec).toBeCloseTo(2.4, 1);
    expect(info.sizeBytes).toBeGreaterThan(0);
  });

  it('counts frames of a WebM, whose header has no frame count', async () => {
    const info = await probeVideo(p('b.webm'));
    expect(info).toMatchObject({
      width: 80,
      height: 48,
      fps: 12,
      frameCount: 18,
      codec: 'vp9',
      hasAudio: false,
    });
    expect(info.frameCountSource).toBe('packets');
  });

  it('reads an AVI', async () => {
    const info = await probeVideo(p('c.avi'));
    expect(info).toMatchObject({ width: 64, height: 48, fps: 25, frameCount: 10, codec: 'mpeg4' });
  });

  it('reports rotation and the upright size of a phone-style rotated video', async () => {
    const info = await probeVideo(p('rotated.mp4'));
    expect(info.rotation).toBe(90);
    expect([info.width, info.height]).toEqual([64, 96]);
  });

  it('refuses a video over the frame limit with PAYLOAD_TOO_LARGE', async () => {
    const err = await failure(probeVideo(p('a.mp4'), { maxFrames: 10 }));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toContain('24 frames');
  });

  it('refuses garbage bytes named .mp4, saying what they look like', async () => {
    await writeFile(p('garbage.mp4'), Buffer.from([0x13, 0x37, 0x00, 0xfe, 0x42, 0x99, 0x01, 0x02, 0x03]));
    const err = await failure(probeVideo(p('garbage.mp4')));
    expect(err.code).toBe('UNSUPPORTED_MEDIA');
    expect(err.message).toContain('13 37 00 fe');
  });

  it('refuses a text file named .mp4 as text', async () => {
    await writeFile(p('notes.mp4'), 'Meeting notes\nbring the video tomorrow\n');
    const err = await failure(probeVideo(p('notes.mp4')));
    expect(err.code).toBe('UNSUPPORTED_MEDIA');
    expect(err.message).toMatch(/looks like text/);
  });

  it('refuses an image named .mp4 as an image', async () => {
    await ffmpeg(['-f', 'lavfi', '-i', 'color=red:size=16x16', '-frames:v', '1', p('red.png')]);
    await copyFile(p('red.png'), p('red.mp4'));
    const err = await failure(probeVideo(p('red.mp4')));
    expect(err).toMatchObject({ code: 'UNSUPPORTED_MEDIA', reason: 'NOT_A_VIDEO' });
    expect(err.message).toContain('PNG image');
  });

  it('refuses an empty file', async () => {
    await writeFile(p('empty.mp4'), '');
    const err = await failure(probeVideo(p('empty.mp4')));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', reason: 'EMPTY_FILE' });
  });

  it('refuses an HLS playlist named .mp4 without following it', async () => {
    // The playlist points at a real, readable segment: following it would "succeed".
    await ffmpeg(['-i', p('a.mp4'), '-c', 'copy', '-an', '-f', 'mpegts', p('seg.ts')]);
    const playlist =
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXTINF:2.4,\nseg.ts\n#EXT-X-ENDLIST\n';
    await writeFile(p('playlist.mp4'), playlist);
    const err = await failure(probeVideo(p('playlist.mp4')));
    expect(err.code).toBe('UNSUPPORTED_MEDIA');
    expect(err.message).toContain('HLS playlist');
    // ffprobe itself, past the sniffing, must refuse it too (the whitelist is the real guard).
    const direct = await failure(runFfprobe(p('playlist.mp4')));
    expect(direct).toMatchObject({ code: 'UNSUPPORTED_MEDIA', reason: 'CONTAINER_NOT_ALLOWED' });
    expect(direct.message).toContain('"hls" format');
  });

  it('refuses an MPEG-TS (a container outside the whitelist) by name', async () => {
    const err = await failure(probeVideo(p('seg.ts')));
    expect(err.code).toBe('UNSUPPORTED_MEDIA');
    expect(err.message).toContain('MPEG transport stream');
  });

  it('refuses an MP4 with no video track', async () => {
    await ffmpeg(['-i', p('a.mp4'), '-vn', '-c:a', 'copy', '-f', 'mp4', p('audio-only.mp4')]);
    const err = await failure(probeVideo(p('audio-only.mp4')));
    expect(err).toMatchObject({ code: 'UNSUPPORTED_MEDIA', reason: 'NO_VIDEO_STREAM' });
    expect(err.message).toContain('no video track');
  });

  it('refuses an MP4 cut before its index with INVALID_INPUT', async () => {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(p('a.mp4'));
    // ffmpeg writes the index (moov) last unless asked otherwise: cutting the tail loses it.
    await writeFile(p('cut.mp4'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = await failure(probeVideo(p('cut.mp4')));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.reason).toBe('TRUNCATED');
  });

  it('refuses an unsupported codec by name', async () => {
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=32x32:rate=5',
      '-frames:v',
      '3',
      '-c:v',
      'rawvideo',
      p('raw.avi'),
    ]);
    const err = await failure(probeVideo(p('raw.avi')));
    expect(err).toMatchObject({ code: 'UNSUPPORTED_MEDIA', reason: 'UNSUPPORTED_CODEC' });
    expect(err.message).toContain('"rawvideo"');
  });

  it('gives up with TIMEOUT when ffprobe runs past its limit', async () => {
    const err = await failure(probeVideo(p('a.mp4'), { timeoutMs: 1 }));
    expect(err).toMatchObject({ code: 'TIMEOUT', reason: 'TIMEOUT' });
  });

  it('raises errors the HTTP and socket edges understand (RotoError with a shared code)', async () => {
    const err = await failure(probeVideo(p('notes.mp4')));
    expect(isRotoError(err)).toBe(true);
    expect(err.message).not.toContain(dir);
  });

  it('reads a file whose name looks like a protocol or an option', async () => {
    await copyFile(p('a.mp4'), p('-rtmp:100%.mp4'));
    expect((await probeVideo(p('-rtmp:100%.mp4'))).frameCount).toBe(24);
  });
});
