import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Harness,
  problemOf,
  startServer,
  tempFilesLeft,
  upload,
  waitForIngest,
} from './http-sessions-harness.ts';
import { ffmpeg, makeTempDir, makeVideo } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
let server: Harness;
let clip: Buffer;
const p = (name: string) => join(dir, name);
const MIB = 1024 * 1024;

/** Session folders in the store (ids), to check that refused media never became sessions. */
async function sessionIds(): Promise<string[]> {
  return (await server.store.list()).map((s) => s.id);
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('roto-http-sessions-fail-'));
  await makeVideo(p('clip.mp4'), { width: 96, height: 64, fps: 10, frames: 24 });
  clip = await readFile(p('clip.mp4'));
  server = await startServer(join(dir, 'data'), { MAX_UPLOAD_MB: '1' });
});

afterAll(async () => {
  await server?.close();
  await cleanup?.();
});

describe('oversized uploads', () => {
  it('refuses a declared-too-large upload with 413 and leaves no temp file', async () => {
    const before = await sessionIds();
    const res = await upload(server.base, randomBytes(Math.round(1.5 * MIB)), 'big.mp4');
    expect(res.status).toBe(413);
    const problem = await problemOf(res);
    expect(problem.code).toBe('PAYLOAD_TOO_LARGE');
    expect(problem.detail).toMatch(/larger than 1 MiB.*MAX_UPLOAD_MB/);
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
    expect(await sessionIds()).toEqual(before);
  });

  it('cuts a chunked upload (no Content-Length) at the cap: 413, temp file removed', async () => {
    const boundary = 'roto-test-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const chunk = clip.subarray(0, 4096);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(head);
        if (sent >= 3 * MIB) {
          controller.enqueue(tail);
          controller.close();
          return;
        }
        controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const res = await fetch(`${server.base}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });
});

describe('media that is not a usable video', () => {
  it('refuses garbage named .mp4 (415, sniffed) without making a session', async () => {
    const before = await sessionIds();
    const res = await upload(server.base, randomBytes(50_000), 'holiday.mp4');
    expect(res.status).toBe(415);
    const problem = await problemOf(res);
    expect(problem.code).toBe('UNSUPPORTED_MEDIA');
    expect(problem.detail).toMatch(/not a recognised video or image/);
    expect(await sessionIds()).toEqual(before);
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });

  it('refuses an MP4 header followed by garbage (400 INVALID_INPUT) without making a session', async () => {
    const before = await sessionIds();
    const fake = Buffer.concat([clip.subarray(0, 32), randomBytes(20_000)]);
    const res = await upload(server.base, fake, 'clip.mp4');
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await sessionIds()).toEqual(before);
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });

  it('refuses a video in a codec Roto does not decode (415, naming the codec)', async () => {
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x48:rate=10',
      '-frames:v',
      '5',
      '-c:v',
      'ffv1',
      p('lossless.mkv'),
    ]);
    const res = await upload(server.base, await readFile(p('lossless.mkv')), 'lossless.mkv');
    expect(res.status).toBe(415);
    const problem = await problemOf(res);
    expect(problem.code).toBe('UNSUPPORTED_MEDIA');
    expect(problem.detail).toMatch(/"ffv1" codec.*Re-encode it as H\.264 or VP9/);
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });

  it('marks a truncated video failed with a precise code, keeps nothing but the reason, and others keep working', async () => {
    const good = (await (await upload(server.base, clip, 'good.mp4', '?wait=true')).json()) as {
      sessionId: string;
    };

    await makeVideo(p('fast.mp4'), { width: 96, height: 64, frames: 40, extra: ['-movflags', '+faststart'] });
    const whole = await readFile(p('fast.mp4'));
    const truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
    const failedEvents: string[] = [];
    const off = server.app.ingest!.events.on('failed', (e) =>
      failedEvents.push(`${e.sessionId}:${e.error.code}`),
    );

    // Probing reads the index, which survived: the session is created and decoding fails later.
    const res = await upload(server.base, truncated, 'cut.mp4', '?wait=true');
    off();
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe('INVALID_INPUT');
    expect(problem.detail).toMatch(/damaged or incomplete.*of 40 frames/);
    const sessionId = problem.details?.sessionId as string;
    expect(sessionId).toEqual(expect.any(String));
    expect(failedEvents).toEqual([`${sessionId}:INVALID_INPUT`]);

    const details = await waitForIngest(server.base, sessionId);
    expect(details).toMatchObject({ status: 'failed', error: { code: 'INVALID_INPUT' } });
    expect(details.frames).toBeUndefined();
    // Only the metadata is left in the blob area: no frames, no thumbnails, no source copy.
    expect((await server.store.blobs.list(sessionId)).map((f) => f.name)).toEqual(['ingest.json']);
    const { records } = await server.store.load(sessionId);
    await server.store.close(sessionId);
    expect(records.map((r) => r.type)).toEqual(['session:created', 'ingest:failed']);
    expect(records[1]?.payload).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);

    const frame = await fetch(`${server.base}/api/v1/sessions/${sessionId}/frames/0`);
    expect(frame.status).toBe(409);
    expect((await problemOf(frame)).detail).toMatch(/ingest failed/);

    // The session made before still serves its frames, and a new upload still works.
    expect((await fetch(`${server.base}/api/v1/sessions/${good.sessionId}/frames/5`)).status).toBe(200);
    const after = await upload(server.base, clip, 'again.mp4', '?wait=true');
    expect(after.status).toBe(201);
    expect(((await after.json()) as { status: string }).status).toBe('ready');
  });
});

describe('interrupted uploads', () => {
  it('removes the temp file when the client goes away mid-upload', async () => {
    const { request } = await import('node:http');
    const boundary = 'gone-boundary';
    const req = request(`${server.base}/api/v1/sessions`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(900_000),
      },
    });
    req.on('error', () => {});
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.mp4"\r\n\r\n`);
    req.write(clip);
    // Wait until the server has started writing the temp file, then drop the connection.
    while ((await tempFilesLeft(server.dataDir)).length === 0) await new Promise((r) => setTimeout(r, 20));
    req.destroy();
    while ((await tempFilesLeft(server.dataDir)).length > 0) await new Promise((r) => setTimeout(r, 20));
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });
});

describe('frames while ingest runs', () => {
  it('answers 409 CONFLICT for a frame not decoded yet, saying ingest is running', async () => {
    // A longer video first: the next one waits behind it in the decode queue.
    await makeVideo(p('long.mp4'), { width: 320, height: 240, fps: 25, frames: 250 });
    const long = (await (await upload(server.base, await readFile(p('long.mp4')), 'long.mp4')).json()) as {
      sessionId: string;
    };
    const queued = (await (await upload(server.base, clip, 'queued.mp4')).json()) as {
      sessionId: string;
      status: string;
    };
    expect(queued.status).toBe('ingesting');

    const res = await fetch(`${server.base}/api/v1/sessions/${queued.sessionId}/frames/0`);
    const details = (await (
      await fetch(`${server.base}/api/v1/sessions/${queued.sessionId}`)
    ).json()) as Record<string, unknown>;
    expect(details).toMatchObject({ status: 'ingesting', progress: { phase: 'decode', total: 24 } });
    expect(res.status).toBe(409);
    const problem = await problemOf(res);
    expect(problem.code).toBe('CONFLICT');
    expect(problem.detail).toMatch(/^Frame 0 is not decoded yet: ingest is running/);
    const thumbs = await fetch(`${server.base}/api/v1/sessions/${queued.sessionId}/thumbnails`);
    expect(thumbs.status).toBe(409);
    expect((await problemOf(thumbs)).detail).toMatch(/ingest is running/);

    expect((await waitForIngest(server.base, long.sessionId)).status).toBe('ready');
    expect((await waitForIngest(server.base, queued.sessionId)).status).toBe('ready');
    expect((await fetch(`${server.base}/api/v1/sessions/${queued.sessionId}/frames/0`)).status).toBe(200);
  });

  it('DELETE during ingest cancels the decode and removes the session', async () => {
    const long = (await (await upload(server.base, await readFile(p('long.mp4')), 'long.mp4')).json()) as {
      sessionId: string;
    };
    const removed: string[] = [];
    const off = server.app.ingest!.events.on('removed', (e) => removed.push(`${e.sessionId}:${e.reason}`));
    const del = await fetch(`${server.base}/api/v1/sessions/${long.sessionId}`, { method: 'DELETE' });
    off();
    expect(del.status).toBe(204);
    expect(removed).toEqual([`${long.sessionId}:deleted`]);
    const gone = await fetch(`${server.base}/api/v1/sessions/${long.sessionId}`);
    expect(gone.status).toBe(404);
    expect(await problemOf(gone)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await sessionIds()).not.toContain(long.sessionId);
    expect(await readdir(join(server.dataDir, 'sessions'))).not.toContain(long.sessionId);
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });
});
