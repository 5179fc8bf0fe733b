import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ffprobeCount,
  type Harness,
  postJson,
  problemOf,
  startServer,
  tempFilesLeft,
} from './http-sessions-harness.ts';
import { makeTempDir, makeVideo } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
let server: Harness;
let media: Server;
let mediaBase: string;
let video: Buffer;
const hanging = new Set<import('node:http').ServerResponse>();

/** A 40×30 PNG: left half red, right half blue (so the decoded frame can be checked by colour). */
async function twoColourPng(): Promise<Buffer> {
  const raw = Buffer.alloc(40 * 30 * 3);
  for (let y = 0; y < 30; y++)
    for (let x = 0; x < 40; x++) raw.set(x < 20 ? [220, 20, 20] : [20, 20, 220], (y * 40 + x) * 3);
  return sharp(raw, { raw: { width: 40, height: 30, channels: 3 } })
    .png()
    .toBuffer();
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('roto-http-sessions-url-'));
  await makeVideo(join(dir, 'clip.mp4'), { width: 64, height: 48, fps: 10, frames: 15 });
  video = await readFile(join(dir, 'clip.mp4'));
  // A media server the way users have them: no file extensions, a generic content type.
  media = createServer((req, res) => {
    if (req.url === '/download/7') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': video.length });
      res.end(video);
    } else if (req.url === '/share/abc') {
      res.writeHead(302, { location: '/download/7' });
      res.end();
    } else if (req.url === '/page') {
      res.writeHead(200, { 'content-type': 'video/mp4' }); // lies: the body is a web page
      res.end(
        '<!doctype html><html><head><title>Watch</title></head><body><video src="x"></video></body></html>',
      );
    } else if (req.url === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (req.url === '/silent') {
      hanging.add(res); // accepts the connection, never answers
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such file');
    }
  });
  await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
  mediaBase = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  server = await startServer(join(dir, 'data'), {}, { download: { headersTimeoutMs: 400 } });
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise((resolve) => media?.close(resolve));
  await server?.close();
  await cleanup?.();
});

describe('POST /api/v1/sessions { image } (base64)', () => {
  it('makes a ready one-frame session from a base64 PNG', async () => {
    const png = await twoColourPng();
    const res = await postJson(server.base, { image: png.toString('base64') });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { sessionId: string; status: string; media: unknown };
    expect(created.status).toBe('ready');
    expect(created.media).toEqual({
      kind: 'image',
      width: 40,
      height: 30,
      fps: 0,
      frameCount: 1,
      durationSec: 0,
      hasAudio: false,
    });

    const frame = await fetch(`${server.base}/api/v1/sessions/${created.sessionId}/frames/0`);
    expect(frame.status).toBe(200);
    const { data, info } = await sharp(Buffer.from(await frame.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([40, 30]);
    const px = (x: number, y: number) => Array.from(data.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3));
    expect(px(5, 15)[0]).toBeGreaterThan(180); // red half stayed red
    expect(px(35, 15)[2]).toBeGreaterThan(180); // blue half stayed blue

    const second = await fetch(`${server.base}/api/v1/sessions/${created.sessionId}/frames/1`);
    expect(second.status).toBe(404);
    expect((await problemOf(second)).detail).toBe('Frame 1 does not exist: the session has 1 frame (0–0).');
  });

  it('accepts a data URL, and refuses bad base64 and non-images with precise codes', async () => {
    const png = await twoColourPng();
    const ok = await postJson(server.base, { image: `data:image/png;base64,${png.toString('base64')}` });
    expect(ok.status).toBe(201);

    const bad = await postJson(server.base, { image: 'not base64 at all!' });
    expect(bad.status).toBe(400);
    expect(await problemOf(bad)).toMatchObject({ code: 'INVALID_INPUT' });

    const html = await postJson(server.base, {
      image: Buffer.from('<html><body>hi</body></html>').toString('base64'),
    });
    expect(html.status).toBe(415);
    expect((await problemOf(html)).detail).toMatch(/HTML/);

    const neither = await postJson(server.base, { name: 'x' });
    expect(neither.status).toBe(400);
    expect(await problemOf(neither)).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses an image bomb (huge declared size) with PAYLOAD_TOO_LARGE before decoding it', async () => {
    // 10000×10000 of one colour compresses to a few KB of PNG but would be 300 MB of pixels.
    const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    const res = await postJson(server.base, { image: bomb.toString('base64') });
    expect(res.status).toBe(413);
    const problem = await problemOf(res);
    expect(problem.code).toBe('PAYLOAD_TOO_LARGE');
    expect(problem.detail).toContain('10000×10000');
  });
});

describe('POST /api/v1/sessions { url }', () => {
  it('downloads through a redirect, sniffs the bytes, and ingests the video', async () => {
    const res = await postJson(server.base, { url: `${mediaBase}/share/abc` }, '?wait=true');
    expect(res.status).toBe(201);
    const created = (await res.json()) as {
      sessionId: string;
      status: string;
      media: { frameCount: number };
    };
    expect(created.status).toBe('ready');
    const probe = await ffprobeCount(join(dir, 'clip.mp4'));
    expect(created.media).toMatchObject({ kind: 'video', frameCount: probe.frames, width: 64, height: 48 });
    const details = (await (
      await fetch(`${server.base}/api/v1/sessions/${created.sessionId}`)
    ).json()) as Record<string, unknown>;
    expect(details.source).toEqual({ kind: 'url', url: `${mediaBase}/share/abc` });
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });

  it('refuses a web page with UNSUPPORTED_MEDIA, whatever its Content-Type claims', async () => {
    const res = await postJson(server.base, { url: `${mediaBase}/page` });
    expect(res.status).toBe(415);
    const problem = await problemOf(res);
    expect(problem.code).toBe('UNSUPPORTED_MEDIA');
    expect(problem.detail).toMatch(/text\/HTML \(a web page\)/);
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });

  it('answers TIMEOUT when the server never answers', async () => {
    const res = await postJson(server.base, { url: `${mediaBase}/silent` });
    expect(res.status).toBe(504);
    const problem = await problemOf(res);
    expect(problem.code).toBe('TIMEOUT');
    expect(problem.detail).toMatch(/did not answer within 0\.4 s/);
    expect(await tempFilesLeft(server.dataDir)).toEqual([]);
  });

  it('reports HTTP errors, redirect loops, refused connections and non-http URLs clearly', async () => {
    const missing = await postJson(server.base, { url: `${mediaBase}/nothing-here` });
    expect(missing.status).toBe(400);
    expect((await problemOf(missing)).detail).toMatch(/answered 404 Not Found/);

    const loop = await postJson(server.base, { url: `${mediaBase}/loop` });
    expect(loop.status).toBe(400);
    expect((await problemOf(loop)).detail).toBe('The URL redirected more than 5 times.');

    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const refused = await postJson(server.base, { url: `http://127.0.0.1:${closed}/x.mp4` });
    expect(refused.status).toBe(400);
    expect((await problemOf(refused)).detail).toMatch(/refused the connection/);

    const ftp = await postJson(server.base, { url: 'ftp://example.com/x.mp4' });
    expect(ftp.status).toBe(400);
    expect((await problemOf(ftp)).detail).toMatch(/http\(s\) URL/);
  });
});
