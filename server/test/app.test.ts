import { Router } from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import type { AppState } from '../src/http/context.ts';
import type { EngineInfo, InferenceEngine } from '../src/inference/engine.ts';
import { createLogger } from '../src/observability/logger.ts';

/**
 * The engine as it is on a machine where the configured pack has not been fetched: it reports
 * `missing` with the fix and refuses every model call with MODEL_UNAVAILABLE.
 */
class MissingPackEngine implements InferenceEngine {
  constructor(private readonly pack: string) {}

  info(): EngineInfo {
    return {
      pack: this.pack,
      kind: null,
      status: 'missing',
      providers: ['cpu'],
      message: `Model pack "${this.pack}" is not on this machine.`,
      fetchCommand: `npm run models:fetch -- ${this.pack}`,
    };
  }

  async ready(): Promise<void> {
    throw this.unavailable();
  }
  async segmentImage(): Promise<never> {
    throw this.unavailable();
  }
  createVideoState(): never {
    throw this.unavailable();
  }
  cacheBytes(): number {
    return 0;
  }
  async close(): Promise<void> {}

  private unavailable() {
    return Object.assign(new Error(this.info().message), { code: 'MODEL_UNAVAILABLE' });
  }
}

const PACK = 'sam2.1-hiera-tiny';
let app: App;
let base: string;
const logLines: string[] = [];

beforeAll(async () => {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', MODEL_PACK: PACK, LOG_LEVEL: 'debug' });
  // A small API router of the kind other layers mount: echoes a JSON body, fails on demand.
  const api = new Router<AppState>({ prefix: '/api/test' });
  api.post('/echo', (ctx) => {
    ctx.body = { received: ctx.request.body };
  });
  api.get('/crash', () => {
    throw new Error('secret detail: /home/roto/.env could not be read');
  });
  app = createApp({
    config,
    engine: new MissingPackEngine(PACK),
    routers: [api],
    jsonLimitBytes: 1024,
    logger: createLogger({ level: 'debug', format: 'json', write: (l) => logLines.push(l) }),
  });
  const address = await app.listen();
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app?.close();
});

async function problemOf(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Record<string, unknown>;
}

describe('health', () => {
  it('GET /healthz answers 200 with the version and the missing pack, its status and the fetch command', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      version: string;
      uptimeSec: number;
      model: EngineInfo;
    };
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.uptimeSec).toBeGreaterThanOrEqual(0);
    expect(body.model).toMatchObject({
      pack: PACK,
      status: 'missing',
      providers: ['cpu'],
      fetchCommand: `npm run models:fetch -- ${PACK}`,
    });
  });

  it('GET /readyz answers 503 with a MODEL_UNAVAILABLE problem naming the fix', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({
      type: 'urn:roto:problem:model-unavailable',
      title: 'Model unavailable',
      status: 503,
      code: 'MODEL_UNAVAILABLE',
      instance: '/readyz',
    });
    expect(problem.detail).toContain(PACK);
    expect(problem.detail).toContain(`npm run models:fetch -- ${PACK}`);
  });
});

describe('metrics', () => {
  it('GET /metrics exposes the GPU lane, the model status and process metrics', async () => {
    await app.lane.run({ priority: 'interactive', label: 'click', fn: async () => 1 });
    await app.lane
      .run({ priority: 'export', label: 'bad', fn: async () => Promise.reject(new Error('x')) })
      .catch(() => {});
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const priority of ['interactive', 'propagation', 'export', 'animation']) {
      expect(text).toContain(`roto_lane_queue_depth{priority="${priority}"} 0`);
      expect(text).toContain(`roto_lane_wait_seconds_count{priority="${priority}"}`);
      expect(text).toContain(`roto_lane_run_seconds_bucket{le="0.001",priority="${priority}"}`);
    }
    expect(text).toContain('roto_lane_tasks_total{priority="interactive",outcome="ok"} 1');
    expect(text).toContain('roto_lane_tasks_total{priority="export",outcome="failed"} 1');
    expect(text).toContain('roto_lane_tasks_total{priority="propagation",outcome="cancelled"} 0');
    expect(text).toContain('roto_lane_run_seconds_count{priority="interactive"} 1');
    expect(text).toContain(`roto_model_status{pack="${PACK}",status="missing"} 1`);
    expect(text).toContain(`roto_model_status{pack="${PACK}",status="ready"} 0`);
    expect(text).toContain('roto_embedding_cache_bytes 0');
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});

describe('errors', () => {
  it('an unknown route is a 404 NOT_FOUND problem', async () => {
    const res = await fetch(`${base}/no/such/thing`);
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toEqual({
      type: 'urn:roto:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'No route for GET /no/such/thing',
      code: 'NOT_FOUND',
      instance: '/no/such/thing',
    });
  });

  it('a malformed JSON body is a 400 INVALID_INPUT problem', async () => {
    const res = await fetch(`${base}/api/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"points": [1, 2,',
    });
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 400, code: 'INVALID_INPUT', title: 'Invalid input' });
    expect(problem.detail).toMatch(/^Request body is not valid JSON/);
  });

  it('a well-formed JSON body reaches the route parsed', async () => {
    const res = await fetch(`${base}/api/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ points: [{ x: 1, y: 2, label: 1 }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: { points: [{ x: 1, y: 2, label: 1 }] } });
  });

  it('a JSON body over the limit is a 413 PAYLOAD_TOO_LARGE problem', async () => {
    const res = await fetch(`${base}/api/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(2000) }),
    });
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limitBytes: 1024 } });
  });

  it('a wrong method on a known path is a 405 problem with Allow', async () => {
    const res = await fetch(`${base}/healthz`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expect(await problemOf(res)).toMatchObject({ status: 405, code: 'INVALID_INPUT' });
  });

  it('an unexpected error is a 500 INTERNAL problem that leaks nothing but the request id', async () => {
    const res = await fetch(`${base}/api/test/crash`, { headers: { 'x-request-id': 'req-crash-1' } });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('req-crash-1');
    const raw = await res.text();
    expect(raw).not.toContain('secret');
    expect(raw).not.toContain('.ts');
    const problem = JSON.parse(raw) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(problem.detail).toContain('req-crash-1');
    // The operator still gets the full story in the log, tied to the same request id.
    const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(logged).toMatchObject({
      level: 'error',
      requestId: 'req-crash-1',
      err: { message: expect.stringContaining('secret') },
    });
  });

  it('every response carries a request id', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
