import { describe, expect, it } from 'vitest';
import { maskIoU } from './iou.ts';
import { maskFromRows } from './test-masks.ts';

describe('maskIoU', () => {
  it('is intersection over union of the foreground pixels', () => {
    const a = maskFromRows(['1100', '1100']).mask;
    const b = maskFromRows(['0110', '0110']).mask;
    expect(maskIoU(a, b)).toBeCloseTo(2 / 6);
    expect(maskIoU(a, a)).toBe(1);
    expect(maskIoU(a, maskFromRows(['0011', '0011']).mask)).toBe(0);
  });

  it('is 1 for two empty masks and 0 for an empty mask against a non-empty one', () => {
    expect(maskIoU(new Uint8Array(4), new Uint8Array(4))).toBe(1);
    expect(maskIoU(new Uint8Array(4), Uint8Array.from([0, 0, 1, 0]))).toBe(0);
  });

  it('counts any non-zero byte as foreground', () => {
    expect(maskIoU(Uint8Array.from([255, 0]), Uint8Array.from([1, 0]))).toBe(1);
  });

  it('refuses masks of different sizes', () => {
    expect(() => maskIoU(new Uint8Array(4), new Uint8Array(5))).toThrow(
      /cannot compare masks of 4 and 5 pixels/,
    );
  });
});
