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

const ALLOWED = 'http://localhost:5173';
let app: App;
let base: string;

beforeAll(async () => {
  app = createApp({
    config: loadConfig({ HOST: '127.0.0.1', PORT: '0', CORS_ORIGINS: `${ALLOWED},https://app.example.com` }),
    engine,
    logger: createLogger({ level: 'silent' }),
  });
  base = `http://127.0.0.1:${(await app.listen()).port}`;
});

afterAll(async () => {
  await app?.close();
});

describe('CORS_ORIGINS', () => {
  it('lets a listed origin read responses, errors included', async () => {
    const ok = await fetch(`${base}/readyz`, { headers: { origin: ALLOWED } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    const missing = await fetch(`${base}/nothing`, { headers: { origin: ALLOWED } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('answers a listed origin’s preflight with 204', async () => {
    const res = await fetch(`${base}/api/v1/sessions`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
  });

  it('gives an unlisted origin no CORS headers', async () => {
    const res = await fetch(`${base}/healthz`, { headers: { origin: 'https://evil.example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('replaces an unsafe X-Request-Id and keeps a sane one', async () => {
    const sane = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'lb-7f3a.12' } });
    expect(sane.headers.get('x-request-id')).toBe('lb-7f3a.12');
    const unsafe = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'a b"c<script>' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
