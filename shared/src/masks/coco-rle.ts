import { z } from 'zod';
import type { BBox, DecodedMask, DecodeOptions } from './binary-rle.ts';
import { checkMaskShape, MAX_MASK_PIXELS, MaskFormatError } from './errors.ts';

/**
 * COCO run-length encoding, byte-for-byte compatible with pycocotools (`mask.encode`, `decode`,
 * `area`, `toBbox`), for exports that other tools read.
 *
 * - pixels are scanned **column-major** (Fortran order: top to bottom, then left to right);
 * - counts alternate 0s / 1s **starting with 0s** (the first count is 0 when pixel (0, 0) is set);
 * - `size` is `[height, width]`;
 * - `counts` is compressed into a string (pycocotools' `rleToString`): each count, from the fourth
 *   on, is replaced by its difference with the count two places before it (`counts[i] − counts[i−2]`
 *   for i > 2), then written as a signed varint of 5-bit groups, least significant first, in
 *   characters `48 + group`, with `0x20` added to every character but the last of a number; the
 *   last group's bit `0x10` is the sign.
 */
export interface CocoRle {
  /** `[height, width]`. */
  size: [height: number, width: number];
  /** Compressed counts (pycocotools' string form). */
  counts: string;
}

/** A COCO RLE with compressed (string) or uncompressed (number array) counts, as pycocotools accepts. */
export const CocoRleSchema = z.object({
  size: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  counts: z.union([z.string(), z.array(z.number().int().nonnegative())]),
});

/** A COCO RLE with either form of counts. */
export type CocoRleInput = z.infer<typeof CocoRleSchema>;

/** Column-major counts of a row-major mask, starting with a (possibly empty) run of 0s. */
function columnMajorCounts(mask: Uint8Array, width: number): number[] {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let i = x; i < mask.length; i += width) {
      const v = mask[i]! !== 0 ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

/**
 * pycocotools' `rleToString`: compresses counts into the string form. Input counts must be
 * non-negative integers.
 */
export function countsToString(counts: readonly number[]): string {
  const chars: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (!Number.isSafeInteger(x) || x < 0) {
      throw new MaskFormatError('coco-rle', `count ${i} must be a non-negative integer, got ${x}`);
    }
    if (i > 2) x -= counts[i - 2]!;
    let more = true;
    while (more) {
      // x & 0x1f and an arithmetic shift by 5, written so they hold past 32 bits and for negatives.
      let c = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      more = (c & 0x10) !== 0 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      chars.push(c + 48);
    }
  }
  // In slices: spreading a huge array into one call overflows the stack.
  let out = '';
  for (let i = 0; i < chars.length; i += 8192) out += String.fromCharCode(...chars.slice(i, i + 8192));
  return out;
}

/**
 * pycocotools' `rleFrString`: expands the string form back into counts. Throws MaskFormatError on a
 * character outside `0`…`o` (48–111), a number cut off at the end, or a count that comes out negative.
 */
export function stringToCounts(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length)
        throw new MaskFormatError('coco-rle', `counts string ends inside a number at char ${p}`);
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) {
        throw new MaskFormatError(
          'coco-rle',
          `invalid character ${JSON.stringify(s[p])} at ${p} in counts string`,
        );
      }
      if (k >= 10) throw new MaskFormatError('coco-rle', `number too long at char ${p} in counts string`);
      x += (c & 0x1f) * 32 ** k;
      more = (c & 0x20) !== 0;
      p++;
      k++;
      // Sign-extend: C's `x |= -1 << 5*k` on a value below 2^(5k) is a subtraction of 2^(5k).
      if (!more && (c & 0x10) !== 0) x -= 32 ** k;
    }
    const m = counts.length;
    if (m > 2) x += counts[m - 2]!;
    if (x < 0) throw new MaskFormatError('coco-rle', `count ${m} is negative (${x})`);
    counts.push(x);
  }
  return counts;
}

/**
 * Encodes a row-major binary mask (`width × height` bytes, any non-zero byte is foreground) as
 * pycocotools' `mask.encode(np.asfortranarray(mask))` would.
 */
export function encodeCocoRle(mask: Uint8Array, width: number, height: number): CocoRle {
  checkMaskShape('coco-rle', mask, width, height);
  return { size: [height, width], counts: countsToString(columnMajorCounts(mask, width)) };
}

function countsOf(rle: CocoRleInput): number[] {
  if (typeof rle.counts === 'string') return stringToCounts(rle.counts);
  rle.counts.forEach((c, i) => {
    if (!Number.isSafeInteger(c) || c < 0) {
      throw new MaskFormatError('coco-rle', `count ${i} must be a non-negative integer, got ${c}`);
    }
  });
  return rle.counts;
}

function sizeOf(rle: CocoRleInput): { height: number; width: number } {
  const [height, width] = rle.size;
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(width) || height < 0 || width < 0) {
    throw new MaskFormatError(
      'coco-rle',
      `size must be [height, width] non-negative integers, got [${rle.size}]`,
    );
  }
  return { height, width };
}

/**
 * Decodes a COCO RLE (string or array counts) into a row-major mask, as pycocotools' `mask.decode`
 * does (transposed back from column-major). Unlike pycocotools, it refuses counts that do not add
 * up to exactly height × width, and sizes over `options.maxPixels` (PAYLOAD_TOO_LARGE).
 */
export function decodeCocoRle(rle: CocoRleInput, options: DecodeOptions = {}): DecodedMask {
  const { height, width } = sizeOf(rle);
  const total = height * width;
  const maxPixels = options.maxPixels ?? MAX_MASK_PIXELS;
  if (total > maxPixels) {
    throw new MaskFormatError(
      'coco-rle',
      `${width}×${height} mask exceeds the ${maxPixels}-pixel limit`,
      'PAYLOAD_TOO_LARGE',
    );
  }
  const counts = countsOf(rle);
  let sum = 0;
  for (const c of counts) sum += c;
  if (sum !== total) {
    throw new MaskFormatError(
      'coco-rle',
      `counts cover ${sum} pixels, expected ${height}×${width} = ${total}`,
    );
  }
  const mask = new Uint8Array(total);
  // Walk the column-major scan with (x, y) kept in step, writing 1s into the row-major buffer.
  let x = 0;
  let y = 0;
  for (let j = 0; j < counts.length; j++) {
    let c = counts[j]!;
    if (j % 2 === 0) {
      const pos = x * height + y + c;
      x = Math.floor(pos / Math.max(height, 1));
      y = pos - x * height;
      continue;
    }
    while (c-- > 0) {
      mask[y * width + x] = 1;
      if (++y === height) {
        y = 0;
        x++;
      }
    }
  }
  return { width, height, mask };
}

/** Foreground pixel count, as pycocotools' `mask.area`. */
export function rleArea(rle: CocoRleInput): number {
  sizeOf(rle);
  const counts = countsOf(rle);
  let area = 0;
  for (let j = 1; j < counts.length; j += 2) area += counts[j]!;
  return area;
}

/**
 * Bounding box `[x, y, width, height]`, as pycocotools' `mask.toBbox` (its C `rleToBbox`, step for
 * step, so edge cases agree): `[0, 0, 0, 0]` when there is no foreground run.
 */
export function rleToBBox(rle: CocoRleInput): BBox {
  const { height: h, width: w } = sizeOf(rle);
  const counts = countsOf(rle);
  const m = Math.floor(counts.length / 2) * 2;
  if (m === 0 || h === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc += counts[j]!;
    // Even j: first pixel of a run of 1s; odd j: its last pixel.
    const t = cc - (j % 2);
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) xp = x;
    else if (xp < x) {
      // The run wraps past a column bottom, so it touches both the top and the bottom row.
      ys = 0;
      ye = h - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}
