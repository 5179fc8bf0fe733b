import { describe, expect, it } from 'vitest';
import { Emitter } from './emitter.ts';

type Events = { n: (value: number) => void };

describe('Emitter', () => {
  it('unsubscribes exactly the subscription it was returned for', () => {
    const e = new Emitter<Events>();
    const got: string[] = [];
    const listener = (v: number) => got.push(`l${v}`);
    const off1 = e.on('n', listener);
    e.on('n', listener);
    e.emit('n', 1);
    off1();
    off1();
    e.emit('n', 2);
    expect(got).toEqual(['l1', 'l1', 'l2']);
  });

  it('a listener that throws does not keep the others from the event', async () => {
    const e = new Emitter<Events>();
    const got: number[] = [];
    const reported: unknown[] = [];
    const onError = (err: unknown) => reported.push(err);
    process.once('uncaughtException', onError);
    e.on('n', () => {
      throw new Error('listener bug');
    });
    e.on('n', (v) => got.push(v));
    e.emit('n', 7);
    expect(got).toEqual([7]);
    await new Promise((r) => setTimeout(r, 0));
    process.off('uncaughtException', onError);
    expect(reported).toHaveLength(1);
  });
});
