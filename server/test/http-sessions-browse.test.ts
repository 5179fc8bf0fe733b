import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SessionDetailsSchema, SessionListSchema, ThumbnailIndexSchema } from '@roto/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, postJson, problemOf, startServer, upload } from './http-sessions-harness.ts';
import { makeTempDir, makeVideo } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
let server: Harness;
let videoId: string;
let imageId: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('roto-http-sessions-browse-'));
  await makeVideo(join(dir, 'clip.mp4'), { width: 96, height: 64, fps: 10, frames: 30 });
  // Frames are capped at MAX_FRAME_SIDE on their longer side: 96×64 → 72×48.
  server = await startServer(join(dir, 'data'), { MAX_FRAME_SIDE: '72' });
  const png = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  imageId = (
    (await (await postJson(server.base, { image: png.toString('base64') })).json()) as { sessionId: string }
  ).sessionId;
  const res = await upload(server.base, await readFile(join(dir, 'clip.mp4')), 'clip.mp4', '?wait=true');
  videoId = ((await res.json()) as { sessionId: string }).sessionId;
});

afterAll(async () => {
  await server?.close();
  await cleanup?.();
});

describe('GET /api/v1/sessions', () => {
  it('lists recent sessions, newest activity first, with poster and sprite URLs', async () => {
    const res = await fetch(`${server.base}/api/v1/sessions`);
    expect(res.status).toBe(200);
    const list = SessionListSchema.parse(await res.json());
    expect(list.sessions.map((s) => s.sessionId)).toEqual([videoId, imageId]);
    const [video] = list.sessions;
    expect(video).toMatchObject({
      status: 'ready',
      media: { kind: 'video', frameCount: 30, width: 96, height: 64 },
      posterUrl: `/api/v1/sessions/${videoId}/frames/0`,
      spriteUrl: `/api/v1/sessions/${videoId}/thumbnails/sprite.jpg`,
    });
    const poster = await fetch(`${server.base}${video?.posterUrl}`);
    expect(poster.status).toBe(200);

    const one = await fetch(`${server.base}/api/v1/sessions?limit=1`);
    expect(SessionListSchema.parse(await one.json()).sessions).toHaveLength(1);
    const bad = await fetch(`${server.base}/api/v1/sessions?limit=0`);
    expect(bad.status).toBe(400);
  });
});

describe('GET /api/v1/sessions/:id', () => {
  it('shows media, decoded frame size (capped by MAX_FRAME_SIDE) and disk use', async () => {
    const res = await fetch(`${server.base}/api/v1/sessions/${videoId}`);
    expect(res.status).toBe(200);
    const details = SessionDetailsSchema.parse(await res.json());
    expect(details.media).toMatchObject({ width: 96, height: 64 });
    expect(details.frames).toEqual({ dir: 'frames', count: 30, width: 72, height: 48 });
    const frame = await fetch(`${server.base}/api/v1/sessions/${videoId}/frames/29`);
    const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([72, 48]);
    // 30 JPEG frames, the sprite and the kept source are all counted.
    expect(details.disk.blobBytes).toBeGreaterThan(30 * 500);
    expect(details.disk.totalBytes).toBe(
      details.disk.blobBytes + details.disk.logBytes + details.disk.snapshotBytes,
    );
  });

  it('refuses malformed ids (no path traversal) with 400, unknown ones with 404', async () => {
    for (const id of ['..%2F..%2Fetc', 'a..%5Cb', '.hidden', '-x', 'a'.repeat(129), 'a%00b']) {
      const res = await fetch(`${server.base}/api/v1/sessions/${id}`);
      expect(res.status, id).toBe(400);
      expect((await problemOf(res)).code).toBe('INVALID_INPUT');
    }
    const frame = await fetch(`${server.base}/api/v1/sessions/..%2F..%2Fsessions/frames/0`);
    expect(frame.status).toBe(400);
    const unknown = await fetch(`${server.base}/api/v1/sessions/nosuchsession/frames/0`);
    expect(unknown.status).toBe(404);
    expect((await problemOf(unknown)).detail).toMatch(/There is no session "nosuchsession"/);
    const del = await fetch(`${server.base}/api/v1/sessions/nosuchsession`, { method: 'DELETE' });
    expect(del.status).toBe(404);
  });
});

describe('GET /api/v1/sessions/:id/thumbnails', () => {
  it('gives the tile index and a sprite whose size matches it', async () => {
    const res = await fetch(`${server.base}/api/v1/sessions/${videoId}/thumbnails`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    const index = ThumbnailIndexSchema.parse(body);
    expect(index.tiles).toHaveLength(30);
    expect(index.tiles[0]).toEqual({ frame: 0, x: 0, y: 0 });
    expect(index.tiles.at(-1)?.frame).toBe(29);
    expect(body.spriteUrl).toBe(`/api/v1/sessions/${videoId}/thumbnails/sprite.jpg`);

    const sprite = await fetch(`${server.base}${body.spriteUrl}`);
    expect(sprite.status).toBe(200);
    expect(sprite.headers.get('content-type')).toBe('image/jpeg');
    expect(sprite.headers.get('cache-control')).toContain('immutable');
    const meta = await sharp(Buffer.from(await sprite.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([index.width, index.height]);
    const again = await fetch(`${server.base}${body.spriteUrl}`, {
      headers: { 'if-none-match': sprite.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('gives a one-tile strip for an image session', async () => {
    const index = ThumbnailIndexSchema.parse(
      await (await fetch(`${server.base}/api/v1/sessions/${imageId}/thumbnails`)).json(),
    );
    expect(index.tiles).toEqual([{ frame: 0, x: 0, y: 0 }]);
  });
});

describe('POST /api/v1/sessions with other bodies', () => {
  it('refuses a body that is neither multipart nor JSON with 415', async () => {
    const res = await fetch(`${server.base}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'video/mp4' },
      body: new Uint8Array(10),
    });
    expect(res.status).toBe(415);
    expect((await problemOf(res)).detail).toMatch(/multipart\/form-data/);
  });

  it('refuses a multipart body without a "file" field', async () => {
    const form = new FormData();
    form.append('video', new Blob([new Uint8Array(10)]), 'x.mp4');
    const res = await fetch(`${server.base}/api/v1/sessions`, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).detail).toMatch(/multipart field named "file"/);
  });
});
