import { describe, expect, it } from 'vitest';
import { PresenceThrottle } from './presence-throttle.ts';
import { TokenBucket } from './rate-limit.ts';

describe('TokenBucket', () => {
  it('grants the burst, then one token per 1/perSec, and says how long to wait', () => {
    let t = 0;
    const bucket = new TokenBucket(20, 40, () => t);
    for (let i = 0; i < 40; i++) expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(50);
    t += 50;
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(50);
    t += 10_000;
    for (let i = 0; i < 40; i++) expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBeGreaterThan(0);
  });
});

describe('PresenceThrottle', () => {
  it('relays the first update at once and merges a burst into one trailing update', async () => {
    const sent: unknown[] = [];
    const throttle = new PresenceThrottle(20, (u) => sent.push(u));
    throttle.push({ frame: 1 });
    for (let x = 0; x < 100; x++) throttle.push({ cursor: { x, y: 0 } });
    throttle.push({ frame: 7 });
    expect(sent).toEqual([{ frame: 1 }]);
    await new Promise((r) => setTimeout(r, 120));
    expect(sent).toEqual([{ frame: 1 }, { cursor: { x: 99, y: 0 }, frame: 7 }]);
  });
});
