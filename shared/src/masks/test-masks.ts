import fc from 'fast-check';
import { expect } from 'vitest';

/** A mask with its size, for property tests. */
export interface SizedMask {
  width: number;
  height: number;
  mask: Uint8Array;
}

/** Builds a row-major mask from rows of '0'/'1' characters, top row first. */
export function maskFromRows(rows: readonly string[]): SizedMask {
  const height = rows.length;
  const width = rows[0]?.length ?? 0;
  const mask = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) mask[y * width + x] = row[x] === '1' ? 1 : 0;
  });
  return { width, height, mask };
}

/**
 * Random masks of every kind a codec must survive: 1×1, odd sizes, one-pixel-wide strips, empty,
 * full, salt-and-pepper noise, and solid rectangles (long runs).
 */
export function arbitraryMask(maxSide = 48): fc.Arbitrary<SizedMask> {
  const size = fc.record({
    width: fc.integer({ min: 1, max: maxSide }),
    height: fc.integer({ min: 1, max: maxSide }),
  });
  return size.chain(({ width, height }) => {
    const n = width * height;
    const constant = fc.constantFrom(0, 1).map((v) => new Uint8Array(n).fill(v));
    const noise = fc.uint8Array({ minLength: n, maxLength: n, min: 0, max: 1 });
    const rect = fc
      .tuple(fc.nat(width - 1), fc.nat(height - 1), fc.nat(width - 1), fc.nat(height - 1))
      .map(([ax, ay, bx, by]) => {
        const mask = new Uint8Array(n);
        for (let y = Math.min(ay, by); y <= Math.max(ay, by); y++) {
          mask.fill(1, y * width + Math.min(ax, bx), y * width + Math.max(ax, bx) + 1);
        }
        return mask;
      });
    return fc.oneof(constant, noise, rect).map((mask) => ({ width, height, mask }));
  });
}

/**
 * Asserts two masks are pixel-identical, reporting the first differing pixel. Much faster than a
 * deep `toEqual` on megapixel buffers.
 */
export function expectSameMask(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length, 'mask length').toBe(expected.length);
  let first = -1;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      first = i;
      break;
    }
  }
  expect(first, 'index of the first differing pixel').toBe(-1);
}
