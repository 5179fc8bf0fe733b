import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import type { EngineInfo, InferenceEngine } from '../src/inference/engine.ts';
import { createLogger } from '../src/observability/logger.ts';

/** An engine whose pack is still loading (the state right after start-up). */
const loadingEngine: InferenceEngine = {
  info: (): EngineInfo => ({ pack: 'test-tiny', kind: 'sam2-video', status: 'loading', providers: ['cpu'] }),
  ready: () => new Promise<void>(() => {}),
  segmentImage: () => Promise.reject(new Error('not loaded')),
  createVideoState: () => {
    throw new Error('not loaded');
  },
  cacheBytes: () => 0,
  close: async () => {},
};

const build = () =>
  createApp({
    config: loadConfig({ HOST: '127.0.0.1', PORT: '0' }),
    engine: loadingEngine,
    logger: createLogger({ level: 'silent' }),
  });

describe('app lifecycle', () => {
  it('close() lets running model work finish, cancels queued work, runs close hooks and stops listening', async () => {
    const app = build();
    const { port } = await app.listen();
    let release!: () => void;
    const running = app.lane.run({
      priority: 'export',
      label: 'export frame',
      fn: () => new Promise<string>((r) => (release = () => r('exported'))),
    });
    const queued = app.lane.run({ priority: 'interactive', label: 'click', fn: async () => 'mask' });
    const order: string[] = [];
    app.onClose(() => {
      order.push('hook');
    });
    const closed = app.close().then(() => order.push('closed'));
    await expect(queued).rejects.toMatchObject({ code: 'CANCELLED' });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['hook']);
    release();
    expect(await running).toBe('exported');
    await closed;
    expect(order).toEqual(['hook', 'closed']);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('/readyz says the model is still loading', async () => {
    const app = build();
    const { port } = await app.listen();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        code: 'MODEL_UNAVAILABLE',
        detail: 'Model pack "test-tiny" is loading.',
      });
    } finally {
      await app.close();
    }
  });

  it('listen() on a taken port rejects with a message naming the port and the fix', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const { port } = squatter.address() as AddressInfo;
    const app = build();
    try {
      await expect(app.listen(port, '127.0.0.1')).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use; set PORT to another port`,
      );
    } finally {
      await app.close();
      await new Promise((r) => squatter.close(r));
    }
  });

  it('two apps in one process keep separate metrics', async () => {
    const a = build();
    const b = build();
    await a.lane.run({ priority: 'interactive', label: 'x', fn: async () => 1 });
    const textB = await b.registry.metrics();
    expect(textB).toContain('roto_lane_tasks_total{priority="interactive",outcome="ok"} 0');
    expect(await a.registry.metrics()).toContain(
      'roto_lane_tasks_total{priority="interactive",outcome="ok"} 1',
    );
    await Promise.all([a.close(), b.close()]);
  });
});
