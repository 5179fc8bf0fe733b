import { describe, expect, it } from 'vitest';
import { encodePrompts } from './prompts.ts';

const enc = (p: Parameters<typeof encodePrompts>[0]) => encodePrompts(p, 960, 540, 1024);

describe('prompt validation', () => {
  it.each([
    [{ points: [] }, /at least one point or a box/],
    [
      { points: Array.from({ length: 65 }, () => ({ x: 1, y: 1, label: 1 as const })) },
      /Too many points: 65 \(at most 64\)/,
    ],
    [{ points: [{ x: Number.NaN, y: 1, label: 1 as const }] }, /points\[0\]\.x is not a finite number/],
    [
      { points: [{ x: 1, y: Number.POSITIVE_INFINITY, label: 1 as const }] },
      /points\[0\]\.y is not a finite number/,
    ],
    [
      { points: [{ x: 961, y: 1, label: 1 as const }] },
      /points\[0\]\.x = 961 is outside the frame \(0…960\)/,
    ],
    [{ points: [{ x: 5, y: -1, label: 0 as const }] }, /points\[0\]\.y = -1 is outside the frame/],
    [{ points: [{ x: 5, y: 5, label: 2 as unknown as 1 }] }, /label must be 0 \(exclude\) or 1 \(include\)/],
    [{ points: [], box: { x0: 10, y0: 10, x1: 5, y1: 20 } }, /x0 ≤ x1/],
  ])('rejects %j with INVALID_INPUT', (prompts, message) => {
    expect(() => enc(prompts)).toThrow(message);
    try {
      enc(prompts);
    } catch (err) {
      expect((err as { code: string }).code).toBe('INVALID_INPUT');
    }
  });

  it('maps clicks to the 1024 input space and puts a box first as labels 2 and 3', () => {
    const p = enc({ points: [{ x: 210, y: 350, label: 1 }], box: { x0: 0, y0: 0, x1: 960, y1: 540 } });
    expect(p.n).toBe(3);
    expect(Array.from(p.labels)).toEqual([2, 3, 1]);
    expect(Array.from(p.coords)).toEqual([0, 0, 1024, 1024, 224, Math.fround(Math.fround(350 / 540) * 1024)]);
  });
});
