import { describe, expect, it } from 'vitest';
import { SERVER_DEFAULT_RATE_LIMITS, SendPacer } from './pacer.ts';

describe('SendPacer', () => {
  it('lets the burst but one through, then paces a little below the server’s rate', () => {
    let t = 0;
    const pacer = new SendPacer({ perSec: 10, burst: 4 }, true, () => t);
    expect([pacer.take(), pacer.take(), pacer.take()]).toEqual([0, 0, 0]);
    // 10/s less the margin: a token every 1000 / 9 ms.
    expect(pacer.take()).toBe(112);
    t += 112;
    expect(pacer.take()).toBe(0);
    expect(pacer.take()).toBeGreaterThan(100);
  });

  it('learns the limit from a RATE_LIMITED answer and starts from an empty bucket', () => {
    let t = 0;
    const pacer = new SendPacer({ ...SERVER_DEFAULT_RATE_LIMITS }, false, () => t);
    expect(pacer.known).toBe(false);
    pacer.refused({ retryAfterMs: 200, perSec: 5, burst: 3, event: 'object:create' });
    expect(pacer.current).toEqual({ perSec: 5, burst: 3 });
    expect(pacer.known).toBe(true);
    expect(pacer.take()).toBe(223);
    t += 10_000;
    expect([pacer.take(), pacer.take()]).toEqual([0, 0]);
    expect(pacer.take()).toBeGreaterThan(0);
  });

  it('a new connection has a full bucket; a refusal without limits keeps the assumed ones', () => {
    const t = 0;
    const pacer = new SendPacer({ ...SERVER_DEFAULT_RATE_LIMITS }, false, () => t);
    pacer.refused(undefined);
    expect(pacer.current).toEqual(SERVER_DEFAULT_RATE_LIMITS);
    expect(pacer.known).toBe(false);
    expect(pacer.take()).toBeGreaterThan(0);
    pacer.reset();
    for (let i = 0; i < SERVER_DEFAULT_RATE_LIMITS.burst - 1; i++) expect(pacer.take()).toBe(0);
    expect(pacer.take()).toBeGreaterThan(0);
  });

  it('off: never paces, not even after a refusal', () => {
    const pacer = new SendPacer(null, false, () => 0);
    pacer.refused({ retryAfterMs: 50, perSec: 1, burst: 1 });
    for (let i = 0; i < 1000; i++) expect(pacer.take()).toBe(0);
    expect([pacer.current, pacer.known]).toEqual([null, false]);
  });
});
