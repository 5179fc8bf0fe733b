import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMask, encodeMask } from './binary-rle.ts';
import {
  CocoRleSchema,
  countsToString,
  decodeCocoRle,
  encodeCocoRle,
  rleArea,
  rleToBBox,
  stringToCounts,
} from './coco-rle.ts';
import { MaskFormatError } from './errors.ts';
import vectors from './fixtures/coco-vectors.json' with { type: 'json' };
import { arbitraryMask, expectSameMask, maskFromRows, type SizedMask } from './test-masks.ts';

interface Vector {
  name: string;
  size: [number, number];
  counts: string;
  area: number;
  bbox: number[];
  rows?: string[];
  shape?: { kind: 'ellipse'; height: number; width: number; cx: number; cy: number; rx: number; ry: number };
}

/** The same integer ellipse test as the Python generator, so both sides rasterise the same pixels. */
function vectorMask(v: Vector): SizedMask {
  if (v.rows) return maskFromRows(v.rows);
  const s = v.shape!;
  const mask = new Uint8Array(s.width * s.height);
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) {
      const inside = (x - s.cx) ** 2 * s.ry ** 2 + (y - s.cy) ** 2 * s.rx ** 2 <= s.rx ** 2 * s.ry ** 2;
      mask[y * s.width + x] = inside ? 1 : 0;
    }
  }
  return { width: s.width, height: s.height, mask };
}

describe('COCO RLE, the vectors from the specification', () => {
  it('2×3 mask with rows [[0,0,1],[0,1,1]] → "33"', () => {
    const { mask, width, height } = maskFromRows(['001', '011']);
    expect(encodeCocoRle(mask, width, height)).toEqual({ size: [2, 3], counts: '33' });
  });

  it('3×3 mask with only pixel (0,0) set → "018"', () => {
    const { mask, width, height } = maskFromRows(['100', '000', '000']);
    expect(encodeCocoRle(mask, width, height)).toEqual({ size: [3, 3], counts: '018' });
  });

  it('4×4 all zero → "`0"', () => {
    expect(encodeCocoRle(new Uint8Array(16), 4, 4)).toEqual({ size: [4, 4], counts: '`0' });
  });

  it('uncompressed counts [2,3,1,1,5] of size [3,4] → "231N4" (negative delta against counts[i−2])', () => {
    expect(countsToString([2, 3, 1, 1, 5])).toBe('231N4');
    expect(stringToCounts('231N4')).toEqual([2, 3, 1, 1, 5]);
    const fromArray = decodeCocoRle({ size: [3, 4], counts: [2, 3, 1, 1, 5] });
    const fromString = decodeCocoRle({ size: [3, 4], counts: '231N4' });
    expect(fromString).toEqual(fromArray);
    expect(encodeCocoRle(fromArray.mask, 4, 3).counts).toBe('231N4');
  });
});

describe('COCO RLE agrees with pycocotools', () => {
  const cases = (vectors as unknown as { cases: Vector[] }).cases;

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, v) => {
    const { mask, width, height } = vectorMask(v);
    expect(v.size).toEqual([height, width]);
    // encode, decode, area and toBbox all match what pycocotools computed for the same pixels
    expect(encodeCocoRle(mask, width, height)).toEqual({ size: v.size, counts: v.counts });
    expectSameMask(decodeCocoRle({ size: v.size, counts: v.counts }).mask, mask);
    expect(rleArea({ size: v.size, counts: v.counts })).toBe(v.area);
    expect(rleToBBox({ size: v.size, counts: v.counts })).toEqual(v.bbox);
  });
});

describe('COCO RLE round trips', () => {
  it('decodes what it encodes, for any mask, and agrees with the binary codec', () => {
    fc.assert(
      fc.property(arbitraryMask(), ({ width, height, mask }) => {
        const rle = encodeCocoRle(mask, width, height);
        const decoded = decodeCocoRle(rle);
        expect(decoded).toEqual({ width, height, mask });
        expect(decodeMask(encodeMask(decoded.mask, width, height)).mask).toEqual(mask);
        expect(CocoRleSchema.parse(rle)).toEqual(rle);
      }),
      { numRuns: 400 },
    );
  });

  it('counts ↔ string for any counts, including ones above 2^32 and large negative deltas', () => {
    const counts = fc.array(fc.oneof(fc.nat(40), fc.nat(), fc.integer({ min: 0, max: 2 ** 40 })), {
      maxLength: 30,
    });
    fc.assert(
      fc.property(counts, (c) => {
        expect(stringToCounts(countsToString(c))).toEqual(c);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes a zero-area size as pycocotools does', () => {
    expect(encodeCocoRle(new Uint8Array(0), 0, 5)).toEqual({ size: [5, 0], counts: '0' });
    expect(decodeCocoRle({ size: [5, 0], counts: '0' })).toEqual({
      width: 0,
      height: 5,
      mask: new Uint8Array(0),
    });
  });
});

describe('COCO RLE rejects corrupt input', () => {
  const reject = (fn: () => unknown, message: RegExp) => {
    expect(fn).toThrow(MaskFormatError);
    expect(fn).toThrow(message);
  };

  it('a character outside 0…o', () => reject(() => stringToCounts('33p'), /invalid character "p" at 2/));
  it('a string cut inside a number', () =>
    reject(() => stringToCounts('`'), /ends inside a number at char 1/));
  it('a delta that makes a count negative', () =>
    reject(() => stringToCounts('000N'), /count 3 is negative/));
  it('counts that do not add up to height × width', () => {
    reject(() => decodeCocoRle({ size: [2, 3], counts: '32' }), /counts cover 5 pixels, expected 2×3 = 6/);
    reject(() => decodeCocoRle({ size: [2, 3], counts: [3, 4] }), /counts cover 7 pixels/);
  });
  it('negative or fractional array counts', () => {
    reject(() => decodeCocoRle({ size: [1, 2], counts: [3, -1] }), /count 1 must be a non-negative integer/);
    reject(() => countsToString([1.5]), /count 0 must be a non-negative integer/);
  });
  it('a size over the pixel budget, as PAYLOAD_TOO_LARGE', () => {
    expect(() => decodeCocoRle({ size: [100_000, 100_000], counts: '0' })).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
  });
  it('a mask buffer whose length is not width × height', () => {
    reject(() => encodeCocoRle(new Uint8Array(3), 2, 2), /mask has 3 bytes but 2×2 needs 4/);
  });
});
