import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IngestProgress } from '@roto/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ffprobeCount,
  type Harness,
  problemOf,
  startServer,
  tempFilesLeft,
  upload,
  waitForIngest,
} from './http-sessions-harness.ts';
import { makeTempDir, makeVideo } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
let server: Harness;
const p = (name: string) => join(dir, name);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('roto-http-sessions-'));
  await makeVideo(p('clip.mp4'), { width: 96, height: 64, fps: 10, frames: 24 });
  await makeVideo(p('audio.webm'), {
    width: 80,
    height: 48,
    fps: 10,
    frames: 12,
    codec: 'libvpx-vp9',
    audio: true,
  });
  server = await startServer(join(dir, 'data'));
});

afterAll(async () => {
  await server?.close();
  await cleanup?.();
});

describe('POST /api/v1/sessions (multipart upload of a video)', () => {
  it('answers 201 ingesting, publishes progress, and ends ready with the frames ffprobe counts', async () => {
    const seen: IngestProgress[] = [];
    const finished: string[] = [];
    const off = server.app.ingest!.events.on('progressed', (e) => seen.push(e));
    const offDone = server.app.ingest!.events.on('finished', (e) => finished.push(e.sessionId));

    const res = await upload(server.base, await readFile(p('clip.mp4')), 'holiday.mp4');
    expect(res.status).toBe(201);
    const created = (await res.json()) as {
      sessionId: string;
      status: string;
      media: Record<string, unknown>;
    };
    expect(res.headers.get('location')).toBe(`/api/v1/sessions/${created.sessionId}`);
    expect(created.status).toBe('ingesting');
    const probe = await ffprobeCount(p('clip.mp4'));
    expect(created.media).toEqual({
      kind: 'video',
      width: probe.width,
      height: probe.height,
      fps: 10,
      frameCount: probe.frames,
      durationSec: expect.closeTo(2.4, 1),
      hasAudio: false,
    });

    const details = await waitForIngest(server.base, created.sessionId);
    off();
    offDone();
    expect(details).toMatchObject({
      sessionId: created.sessionId,
      status: 'ready',
      source: { kind: 'upload', fileName: 'holiday.mp4' },
      frames: { dir: 'frames', count: probe.frames, width: probe.width, height: probe.height },
      links: { self: `/api/v1/sessions/${created.sessionId}` },
    });
    const disk = details.disk as { totalBytes: number; blobBytes: number };
    expect(disk.blobBytes).toBeGreaterThan(0);
    expect(disk.totalBytes).toBeGreaterThanOrEqual(disk.blobBytes);

    const phases = new Set(seen.filter((e) => e.sessionId === created.sessionId).map((e) => e.phase));
    expect([...phases]).toEqual(expect.arrayContaining(['upload', 'probe', 'decode', 'thumbnails']));
    const lastDecode = seen.filter((e) => e.sessionId === created.sessionId && e.phase === 'decode').at(-1);
    expect(lastDecode).toMatchObject({ done: probe.frames, total: probe.frames });
    expect(finished).toContain(created.sessionId);

    // The last frame is a real JPEG of the decoded size.
    const frame = await fetch(
      `${server.base}/api/v1/sessions/${created.sessionId}/frames/${probe.frames - 1}`,
    );
    expect(frame.status).toBe(200);
    expect(frame.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', probe.width, probe.height]);
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });

  it('?wait=true answers once ingest finished, with the decoded frame count', async () => {
    const res = await upload(server.base, await readFile(p('audio.webm')), 'a.webm', '?wait=true');
    expect(res.status).toBe(201);
    const created = (await res.json()) as {
      sessionId: string;
      status: string;
      media: { frameCount: number; hasAudio: boolean; width: number };
    };
    expect(created.status).toBe('ready');
    expect(created.media).toMatchObject({
      kind: 'video',
      frameCount: 12,
      hasAudio: true,
      width: 80,
      height: 48,
    });
  });

  it('serves frames immutable with a strong ETag, and 304 on If-None-Match', async () => {
    const created = (await (
      await upload(server.base, await readFile(p('clip.mp4')), 'c.mp4', '?wait=true')
    ).json()) as {
      sessionId: string;
    };
    const url = `${server.base}/api/v1/sessions/${created.sessionId}/frames/3`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/); // strong: no W/ prefix
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = Buffer.from(await first.arrayBuffer());
    expect(body.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    const again = await fetch(url, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect((await again.arrayBuffer()).byteLength).toBe(0);

    const other = await fetch(`${server.base}/api/v1/sessions/${created.sessionId}/frames/4`);
    expect(other.headers.get('etag')).not.toBe(etag);
    expect(Buffer.from(await other.arrayBuffer()).equals(body)).toBe(false);
  });

  it('answers frame index errors: 400 for a non-integer, 404 out of range', async () => {
    const created = (await (
      await upload(server.base, await readFile(p('clip.mp4')), 'c.mp4', '?wait=true')
    ).json()) as {
      sessionId: string;
    };
    const frame = (n: string) => fetch(`${server.base}/api/v1/sessions/${created.sessionId}/frames/${n}`);
    for (const bad of ['abc', '1.5', '-1', '01', '1e3', '%20']) {
      const res = await frame(bad);
      expect(res.status, bad).toBe(400);
      expect(await problemOf(res)).toMatchObject({ code: 'INVALID_INPUT' });
    }
    const out = await frame('24');
    expect(out.status).toBe(404);
    const problem = await problemOf(out);
    expect(problem.code).toBe('NOT_FOUND');
    expect(problem.detail).toBe('Frame 24 does not exist: the session has 24 frames (0–23).');
    expect((await frame('23')).status).toBe(200);
  });

  it('makes a one-frame session from an uploaded image (WebP and JPEG), re-encoded to a JPEG frame', async () => {
    const webp = await sharp({ create: { width: 50, height: 40, channels: 3, background: '#20a040' } })
      .webp()
      .toBuffer();
    // EXIF orientation 6 (rotate 90° clockwise to view): the frame must come out upright, 40×50.
    const jpeg = await sharp({ create: { width: 50, height: 40, channels: 3, background: '#a02040' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    for (const [bytes, name, size] of [
      [webp, 'leaf.webp', [50, 40]],
      [jpeg, 'photo.jpg', [40, 50]],
    ] as const) {
      const res = await upload(server.base, bytes, name);
      expect(res.status, name).toBe(201);
      const created = (await res.json()) as {
        sessionId: string;
        status: string;
        media: Record<string, unknown>;
      };
      expect(created.status).toBe('ready');
      expect(created.media).toMatchObject({ kind: 'image', frameCount: 1, width: size[0], height: size[1] });
      const frame = await fetch(`${server.base}/api/v1/sessions/${created.sessionId}/frames/0`);
      const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height, meta.orientation], name).toEqual([
        'jpeg',
        size[0],
        size[1],
        undefined,
      ]);
    }
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });
});
