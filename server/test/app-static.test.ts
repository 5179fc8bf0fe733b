import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import type { InferenceEngine } from '../src/inference/engine.ts';
import { createLogger } from '../src/observability/logger.ts';

const engine: InferenceEngine = {
  info: () => ({ pack: 'test-tiny', kind: 'sam2-video', status: 'ready', providers: ['cpu'] }),
  ready: async () => {},
  segmentImage: () => Promise.reject(new Error('unused')),
  createVideoState: () => {
    throw new Error('unused');
  },
  cacheBytes: () => 0,
  close: async () => {},
};

let app: App;
let base: string;
let dir: string;

beforeAll(async () => {
  const parent = await mkdtemp(join(tmpdir(), 'roto-static-'));
  dir = join(parent, 'dist');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Roto</title>');
  await writeFile(join(dir, 'assets', 'app-1a2b.js'), 'console.log("roto")');
  await writeFile(join(dir, '.env'), 'SECRET=1');
  await writeFile(join(parent, 'outside.txt'), 'outside');
  app = createApp({
    config: loadConfig({ HOST: '127.0.0.1', PORT: '0' }),
    engine,
    staticDir: dir,
    logger: createLogger({ level: 'silent' }),
  });
  base = `http://127.0.0.1:${(await app.listen()).port}`;
});

afterAll(async () => {
  await app?.close();
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('the web app', () => {
  it('serves index.html at / and for client-side routes, revalidated on each load', async () => {
    for (const path of ['/', '/s/abc123']) {
      const res = await fetch(base + path, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>Roto</title>');
    }
  });

  it('serves hashed assets with a long cache life, and 304 when unchanged', async () => {
    const res = await fetch(`${base}/assets/app-1a2b.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(await res.text()).toBe('console.log("roto")');
    const again = await fetch(`${base}/assets/app-1a2b.js`, {
      // fetch() adds `Cache-Control: no-cache` to conditional requests unless one is given.
      headers: { 'if-modified-since': res.headers.get('last-modified')!, 'cache-control': 'max-age=0' },
    });
    expect(again.status).toBe(304);
  });

  it('never serves dot-files or files outside the folder, and API 404s stay problems', async () => {
    for (const path of ['/.env', '/..%2Foutside.txt', '/assets/missing.js', '/api/v1/nothing']) {
      const res = await fetch(base + path, { headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
      expect(await res.text(), path).not.toContain('SECRET');
    }
  });
});
