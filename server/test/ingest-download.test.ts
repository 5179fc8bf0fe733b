import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../src/ingest/address-guard.ts';
import { downloadToFile } from '../src/ingest/download.ts';
import { makeTempDir, makeVideo } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
let server: Server;
let base: string;
let video: Buffer;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('roto-ingest-download-'));
  await makeVideo(join(dir, 'clip.webm'), { width: 64, height: 48, frames: 10, codec: 'libvpx-vp9' });
  video = await readFile(join(dir, 'clip.webm'));
  server = createServer((req, res) => {
    if (req.url === '/clip') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // Chunked, in pieces, so the body is counted as it streams rather than declared.
      let at = 0;
      const next = () => {
        if (at >= video.length) return res.end();
        res.write(video.subarray(at, at + 1000), next);
        at += 1000;
      };
      next();
    } else if (req.url === '/declared-huge') {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      res.write(video.subarray(0, 100));
    } else if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': String(video.length) });
      res.write(video.subarray(0, Math.floor(video.length / 2)), () => res.destroy());
    } else if (req.url === '/stall') {
      res.writeHead(200, { 'content-type': 'video/webm' });
      res.write(video.subarray(0, 5000)); // then nothing
    } else if (req.url === '/pdf') {
      res.writeHead(200);
      res.end('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await cleanup?.();
});

const dest = (name: string) => join(dir, `${name}.part`);
const left = async () => (await readdir(dir)).filter((f) => f.endsWith('.part'));

describe('downloadToFile', () => {
  it('saves a chunked body byte for byte and says what it is from the bytes', async () => {
    const got = await downloadToFile(`${base}/clip`, dest('ok'), {
      maxBytes: 10 * 1024 * 1024,
      allowPrivate: true,
    });
    expect(got.sniffed).toMatchObject({ kind: 'video', container: 'webm' });
    expect(got.bytes).toBe(video.length);
    expect((await readFile(dest('ok'))).equals(video)).toBe(true);
  });

  it('refuses loopback and private addresses unless allowed (names and literals alike)', async () => {
    for (const url of [
      `${base}/clip`,
      `http://localhost:${new URL(base).port}/clip`,
      'http://[::1]/x',
      'http://10.1.2.3/x',
    ]) {
      const err = await downloadToFile(url, dest('private'), { maxBytes: 1e7 }).catch((e: unknown) => e);
      expect(err, url).toMatchObject({ code: 'INVALID_INPUT' });
      expect((err as Error).message, url).toMatch(/private or loopback network/);
    }
    expect(
      [
        '127.0.0.1',
        '10.0.0.8',
        '192.168.1.1',
        '172.20.0.1',
        '169.254.169.254',
        '::1',
        'fd00::1',
        '::ffff:127.0.0.1',
      ].every(isPrivateAddress),
    ).toBe(true);
    expect(['93.184.216.34', '2606:2800:220:1::1', '8.8.8.8'].some(isPrivateAddress)).toBe(false);
  });

  it('enforces the size cap on a declared length at once, and on counted bytes as they stream', async () => {
    const declared = await downloadToFile(`${base}/declared-huge`, dest('huge'), {
      maxBytes: 1024 * 1024,
      allowPrivate: true,
    }).catch((e: unknown) => e);
    expect(declared).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const counted = await downloadToFile(`${base}/clip`, dest('counted'), {
      maxBytes: 3000,
      allowPrivate: true,
    }).catch((e: unknown) => e);
    expect(counted).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await left()).toEqual(['ok.part']);
  });

  it('reports a cut-off body, a stalled one, and a non-media file, removing the partial file', async () => {
    const cut = await downloadToFile(`${base}/cut`, dest('cut'), { maxBytes: 1e7, allowPrivate: true }).catch(
      (e: unknown) => e,
    );
    expect(cut).toMatchObject({ code: 'INVALID_INPUT' });
    const stall = await downloadToFile(`${base}/stall`, dest('stall'), {
      maxBytes: 1e7,
      allowPrivate: true,
      idleTimeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(stall).toMatchObject({ code: 'TIMEOUT' });
    expect((stall as Error).message).toMatch(/stalled/);
    const pdf = await downloadToFile(`${base}/pdf`, dest('pdf'), { maxBytes: 1e7, allowPrivate: true }).catch(
      (e: unknown) => e,
    );
    expect(pdf).toMatchObject({ code: 'UNSUPPORTED_MEDIA' });
    expect((pdf as Error).message).toMatch(/PDF document/);
    expect(await left()).toEqual(['ok.part']);
  });

  it('can be cancelled', async () => {
    const controller = new AbortController();
    const pending = downloadToFile(`${base}/stall`, dest('cancel'), {
      maxBytes: 1e7,
      allowPrivate: true,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    expect(await pending.catch((e: unknown) => e)).toMatchObject({ code: 'CANCELLED' });
    expect(await left()).toEqual(['ok.part']);
  });
});
