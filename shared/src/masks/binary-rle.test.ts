import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRotoError } from '../contract/errors.ts';
import { decodeMask, encodeMask, maskArea, maskBBox, readMaskHeader } from './binary-rle.ts';
import { MaskFormatError } from './errors.ts';
import { arbitraryMask, expectSameMask, maskFromRows } from './test-masks.ts';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

/** Area and bbox computed naively from the pixels, to compare with the run-based versions. */
function naiveStats(mask: Uint8Array, width: number): { area: number; bbox: number[] } {
  let area = 0;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  mask.forEach((v, i) => {
    if (!v) return;
    area++;
    const x = i % width;
    const y = Math.floor(i / width);
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  });
  return { area, bbox: area === 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1] };
}

function expectRejected(bytes: Uint8Array, message: RegExp, code = 'INVALID_INPUT') {
  let caught: unknown;
  try {
    decodeMask(bytes);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MaskFormatError);
  expect(isRotoError(caught) && caught.code).toBe(code);
  expect((caught as Error).message).toMatch(message);
}

describe('binary RLE ("RM") wire format', () => {
  it('writes the documented bytes for an all-background and an all-foreground 4×2 mask', () => {
    expect(hex(encodeMask(new Uint8Array(8), 4, 2))).toBe('52 4d 01 00 04 00 00 00 02 00 00 00 01 08');
    expect(hex(encodeMask(new Uint8Array(8).fill(1), 4, 2))).toBe(
      '52 4d 01 00 04 00 00 00 02 00 00 00 02 00 08',
    );
  });

  it('starts with a background run and writes runs row-major as LEB128', () => {
    // rows 110 / 011 → row-major 1 1 0 0 1 1 → runs 0, 2, 2, 2
    const { mask, width, height } = maskFromRows(['110', '011']);
    const bytes = encodeMask(mask, width, height);
    expect(hex(bytes.subarray(12))).toBe('04 00 02 02 02');
    // a 300-pixel run needs two varint bytes: 300 = 0xAC 0x02
    expect(hex(encodeMask(new Uint8Array(300), 300, 1).subarray(12))).toBe('01 ac 02');
  });

  it('decodes what it encodes, for any mask (empty, full, 1×1, odd sizes, noise, rectangles)', () => {
    fc.assert(
      fc.property(arbitraryMask(), ({ width, height, mask }) => {
        const bytes = encodeMask(mask, width, height);
        const decoded = decodeMask(bytes);
        expect(decoded.width).toBe(width);
        expect(decoded.height).toBe(height);
        expect(decoded.mask).toEqual(mask);
        const naive = naiveStats(mask, width);
        expect(maskArea(bytes)).toBe(naive.area);
        expect(maskBBox(bytes)).toEqual(naive.bbox);
      }),
      { numRuns: 400 },
    );
  });

  it('treats any non-zero byte as foreground and decodes to 0/1', () => {
    const decoded = decodeMask(encodeMask(Uint8Array.from([0, 255, 7, 0]), 2, 2));
    expect(Array.from(decoded.mask)).toEqual([0, 1, 1, 0]);
  });

  it('reads a large mask with long runs (multi-byte varints)', () => {
    const width = 1280;
    const height = 720;
    const mask = new Uint8Array(width * height);
    for (let y = 100; y < 600; y++) mask.fill(1, y * width + 200, y * width + 1100);
    const bytes = encodeMask(mask, width, height);
    expect(bytes.length).toBeLessThan(2100);
    expect(readMaskHeader(bytes)).toMatchObject({ width, height, runCount: 1001 });
    expect(maskArea(bytes)).toBe(500 * 900);
    expect(maskBBox(bytes)).toEqual([200, 100, 900, 500]);
    expectSameMask(decodeMask(bytes).mask, mask);
  });

  it('gives the bbox of a run that wraps from one row to the next', () => {
    const { mask, width, height } = maskFromRows(['0001', '1000', '0000']);
    expect(maskBBox(encodeMask(mask, width, height))).toEqual([0, 0, 4, 2]);
  });

  it('refuses a mask buffer whose length is not width × height', () => {
    expect(() => encodeMask(new Uint8Array(5), 2, 2)).toThrow(/mask has 5 bytes but 2×2 needs 4/);
    expect(() => encodeMask(new Uint8Array(0), 0, 0)).toThrow(/width and height must be 1/);
  });
});

describe('binary RLE decoder rejects corrupt input', () => {
  const good = encodeMask(maskFromRows(['0110', '1111', '0000']).mask, 4, 3);
  const withByte = (i: number, v: number) => {
    const copy = good.slice();
    copy[i] = v;
    return copy;
  };

  it('bad magic', () => expectRejected(withByte(0, 0x50), /bad magic 0x50 0x4d/));
  it('unknown version', () => expectRejected(withByte(2, 2), /unsupported version 2/));
  it('non-zero flags', () => expectRejected(withByte(3, 1), /unsupported flags 0x01/));
  it('zero width', () => expectRejected(withByte(4, 0), /empty size 0×3/));
  it('empty input', () => expectRejected(new Uint8Array(0), /truncated/));

  it('every truncation of a valid mask', () => {
    for (let n = 0; n < good.length; n++) expectRejected(good.subarray(0, n), /truncated|runs cover/);
  });

  it('trailing bytes', () =>
    expectRejected(Uint8Array.from([...good, 0]), /1 unexpected bytes after the last run/));

  it('runs that do not add up to width × height', () => {
    const header = good.subarray(0, 12);
    expectRejected(Uint8Array.from([...header, 2, 5, 6]), /runs cover 11 pixels, expected 4×3 = 12/);
    expectRejected(Uint8Array.from([...header, 2, 5, 8]), /runs exceed the 4×3 = 12 pixels/);
  });

  it('an empty run after the first', () => {
    const header = good.subarray(0, 12);
    expectRejected(Uint8Array.from([...header, 3, 5, 0, 7]), /run 1 is empty/);
  });

  it('a run count larger than the bytes that follow, before allocating', () => {
    const header = good.subarray(0, 12);
    expectRejected(Uint8Array.from([...header, 10, 12]), /10 runs declared but only 1 bytes follow/);
    expectRejected(Uint8Array.from([...header, 0]), /run count 0 is impossible/);
  });

  it('a header claiming a huge mask, as PAYLOAD_TOO_LARGE', () => {
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(4, 100_000, true);
    new DataView(huge.buffer).setUint32(8, 100_000, true);
    expectRejected(huge, /100000×100000 mask exceeds the 67108864-pixel limit/, 'PAYLOAD_TOO_LARGE');
    expect(() => decodeMask(good, { maxPixels: 11 })).toThrow(/exceeds the 11-pixel limit/);
  });

  it('a varint that never ends', () => {
    const header = good.subarray(0, 12);
    expectRejected(
      Uint8Array.from([...header, 1, ...new Array(9).fill(0xff)]),
      /truncated or malformed run 0/,
    );
  });

  it('random bytes never crash the decoder with anything but a MaskFormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (tail, keepHeader) => {
        const bytes = keepHeader ? Uint8Array.from([...good.subarray(0, 12), ...tail]) : tail;
        try {
          const { mask, width, height } = decodeMask(bytes);
          expect(mask.length).toBe(width * height);
        } catch (err) {
          expect(err).toBeInstanceOf(MaskFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
