import { describe, expect, it } from 'vitest';
import { EmbeddingCache, frameKey } from './embedding-cache.ts';

const value = (bytes: number, tag = '') => ({ bytes, tag });

describe('EmbeddingCache', () => {
  it('evicts least recently used entries beyond the byte budget', async () => {
    const cache = new EmbeddingCache<{ bytes: number; tag: string }>(250);
    await cache.getOrCompute('a', async () => value(100));
    await cache.getOrCompute('b', async () => value(100));
    await cache.getOrCompute('a', async () => value(100)); // touch a: b is now the oldest
    await cache.getOrCompute('c', async () => value(100));
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('c')).toBe(true);
    expect(cache.bytes).toBe(200);
  });

  it('computes once when two requests race for the same key', async () => {
    const cache = new EmbeddingCache<{ bytes: number; tag: string }>(1000);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const compute = async () => {
      calls++;
      await gate;
      return value(10, 'x');
    };
    const p1 = cache.getOrCompute(frameKey('v', 3), compute);
    const p2 = cache.getOrCompute(frameKey('v', 3), compute);
    release();
    expect(await p1).toBe(await p2);
    expect(calls).toBe(1);
  });

  it('drops a failed computation so the next request retries', async () => {
    const cache = new EmbeddingCache<{ bytes: number; tag: string }>(1000);
    await expect(cache.getOrCompute('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(cache.has('k')).toBe(false);
    expect((await cache.getOrCompute('k', async () => value(5, 'ok'))).tag).toBe('ok');
  });

  it('forgets every frame of a video by prefix', async () => {
    const cache = new EmbeddingCache<{ bytes: number; tag: string }>(1000);
    await cache.getOrCompute(frameKey('v1', 0), async () => value(1));
    await cache.getOrCompute(frameKey('v1', 1), async () => value(1));
    await cache.getOrCompute(frameKey('v2', 0), async () => value(1));
    cache.deletePrefix('v1\u0000');
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(1);
  });
});
