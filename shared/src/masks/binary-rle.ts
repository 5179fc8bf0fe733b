import { checkMaskShape, MAX_MASK_PIXELS, MaskFormatError } from './errors.ts';
import { readVarint, varintLength, writeVarint } from './varint.ts';

/**
 * # Binary mask wire format ("RM", version 1)
 *
 * One binary mask of `width × height` pixels, scanned row-major (left to right, top to bottom),
 * stored as run lengths that alternate background / foreground, **starting with a background run**
 * (which is 0 when the top-left pixel is foreground). All integers are little-endian.
 *
 * | offset | size     | field                                                        |
 * | ------ | -------- | ------------------------------------------------------------ |
 * | 0      | 1        | magic `0x52` (`R`)                                           |
 * | 1      | 1        | magic `0x4D` (`M`)                                           |
 * | 2      | 1        | version, `1`                                                 |
 * | 3      | 1        | flags, `0` (reserved: a decoder rejects any other value)     |
 * | 4      | 4        | width in pixels, u32 LE, ≥ 1                                 |
 * | 8      | 4        | height in pixels, u32 LE, ≥ 1                                |
 * | 12     | 1–5      | run count `n`, unsigned LEB128 varint, ≥ 1                   |
 * | …      | 1–8 each | `n` run lengths, unsigned LEB128 varints                     |
 *
 * Unsigned LEB128: 7 bits per byte, least significant group first, high bit set on every byte
 * but the last (300 → `0xAC 0x02`).
 *
 * Rules a valid mask obeys, checked by the decoder:
 * - run 0 is the background run and may be 0; every later run is ≥ 1;
 * - the runs add up to exactly `width × height`;
 * - no bytes follow the last run.
 *
 * Examples: an all-background 4×2 mask is `52 4D 01 00 04 00 00 00 02 00 00 00 01 08`; the same
 * mask all foreground ends `02 00 08`. The encoder is canonical: equal masks give equal bytes.
 */
export const BINARY_RLE_MAGIC = [0x52, 0x4d] as const;

/** Version byte written by `encodeMask` and the only one `decodeMask` reads. */
export const BINARY_RLE_VERSION = 1;

/** Size of the fixed part of the header (magic, version, flags, width, height). */
export const BINARY_RLE_HEADER_BYTES = 12;

/** A decoded mask: one byte per pixel, row-major, 1 = foreground, 0 = background. */
export interface DecodedMask {
  width: number;
  height: number;
  mask: Uint8Array;
}

/** Options for the decoders. */
export interface DecodeOptions {
  /** Refuse masks larger than this many pixels (PAYLOAD_TOO_LARGE). Default `MAX_MASK_PIXELS`. */
  maxPixels?: number;
}

/** A bounding box `[x, y, width, height]` in pixels, the layout pycocotools' `toBbox` uses. */
export type BBox = [x: number, y: number, width: number, height: number];

/** The row-major run lengths of a mask, background run first. Any non-zero byte is foreground. */
function runsOf(mask: Uint8Array): number[] {
  const runs: number[] = [];
  let current = 0; // value of the run being counted: background first
  let start = 0;
  for (let i = 0; i < mask.length; i++) {
    const v = mask[i]! !== 0 ? 1 : 0;
    if (v !== current) {
      runs.push(i - start);
      start = i;
      current = v;
    }
  }
  runs.push(mask.length - start);
  return runs;
}

/**
 * Encodes a row-major binary mask (`width × height` bytes, any non-zero byte is foreground) into
 * the "RM" wire format documented on `BINARY_RLE_MAGIC`.
 */
export function encodeMask(mask: Uint8Array, width: number, height: number): Uint8Array {
  checkMaskShape('binary-rle', mask, width, height);
  if (width < 1 || height < 1 || width > 0xffffffff || height > 0xffffffff) {
    throw new MaskFormatError('binary-rle', `width and height must be 1 … 2^32−1, got ${width}×${height}`);
  }
  const runs = runsOf(mask);
  let size = BINARY_RLE_HEADER_BYTES + varintLength(runs.length);
  for (const r of runs) size += varintLength(r);
  const out = new Uint8Array(size);
  out[0] = BINARY_RLE_MAGIC[0];
  out[1] = BINARY_RLE_MAGIC[1];
  out[2] = BINARY_RLE_VERSION;
  out[3] = 0;
  const view = new DataView(out.buffer);
  view.setUint32(4, width, true);
  view.setUint32(8, height, true);
  let p = writeVarint(out, BINARY_RLE_HEADER_BYTES, runs.length);
  for (const r of runs) p = writeVarint(out, p, r);
  return out;
}

/** The header of an encoded mask. */
export interface MaskHeader {
  width: number;
  height: number;
  /** Number of runs that follow the header. */
  runCount: number;
  /** Offset of the first run. */
  runsOffset: number;
}

/**
 * Reads and checks the header of an encoded mask without touching the runs (to learn a mask's size
 * cheaply, or to refuse an oversized one before decoding).
 */
export function readMaskHeader(bytes: Uint8Array, options: DecodeOptions = {}): MaskHeader {
  const fail = (message: string) => new MaskFormatError('binary-rle', message);
  if (bytes.length < BINARY_RLE_HEADER_BYTES + 1) {
    throw fail(
      `truncated: ${bytes.length} bytes is shorter than the ${BINARY_RLE_HEADER_BYTES + 1}-byte minimum`,
    );
  }
  if (bytes[0] !== BINARY_RLE_MAGIC[0] || bytes[1] !== BINARY_RLE_MAGIC[1]) {
    throw fail(`bad magic 0x${hex(bytes[0]!)} 0x${hex(bytes[1]!)}, expected 0x52 0x4d ("RM")`);
  }
  if (bytes[2] !== BINARY_RLE_VERSION)
    throw fail(`unsupported version ${bytes[2]}, expected ${BINARY_RLE_VERSION}`);
  if (bytes[3] !== 0) throw fail(`unsupported flags 0x${hex(bytes[3]!)}, expected 0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  if (width === 0 || height === 0) throw fail(`empty size ${width}×${height}`);
  const maxPixels = options.maxPixels ?? MAX_MASK_PIXELS;
  if (width * height > maxPixels) {
    throw new MaskFormatError(
      'binary-rle',
      `${width}×${height} mask exceeds the ${maxPixels}-pixel limit`,
      'PAYLOAD_TOO_LARGE',
    );
  }
  const count = readVarint(bytes, BINARY_RLE_HEADER_BYTES);
  if (count === null) throw fail('truncated or malformed run count');
  const runsOffset = BINARY_RLE_HEADER_BYTES + count.length;
  // Every run takes at least one byte and there are at most width×height + 1 runs: checking both
  // before allocating anything keeps a forged count from costing memory or time.
  if (count.value < 1 || count.value > width * height + 1) {
    throw fail(`run count ${count.value} is impossible for a ${width}×${height} mask`);
  }
  if (count.value > bytes.length - runsOffset) {
    throw fail(`truncated: ${count.value} runs declared but only ${bytes.length - runsOffset} bytes follow`);
  }
  return { width, height, runCount: count.value, runsOffset };
}

/**
 * Walks the runs of an encoded mask, checking every rule of the format, and calls `onForeground`
 * with the start offset (row-major pixel index) and length of each foreground run.
 */
function walkRuns(
  bytes: Uint8Array,
  options: DecodeOptions,
  onForeground: (start: number, length: number) => void,
): MaskHeader {
  const header = readMaskHeader(bytes, options);
  const total = header.width * header.height;
  let p = header.runsOffset;
  let pos = 0;
  for (let i = 0; i < header.runCount; i++) {
    const run = readVarint(bytes, p);
    if (run === null) throw new MaskFormatError('binary-rle', `truncated or malformed run ${i} at byte ${p}`);
    p += run.length;
    if (run.value === 0 && i > 0)
      throw new MaskFormatError('binary-rle', `run ${i} is empty (only run 0 may be)`);
    if (run.value > total - pos) {
      throw new MaskFormatError(
        'binary-rle',
        `runs exceed the ${header.width}×${header.height} = ${total} pixels`,
      );
    }
    if (i % 2 === 1) onForeground(pos, run.value);
    pos += run.value;
  }
  if (pos !== total) {
    throw new MaskFormatError(
      'binary-rle',
      `runs cover ${pos} pixels, expected ${header.width}×${header.height} = ${total}`,
    );
  }
  if (p !== bytes.length)
    throw new MaskFormatError('binary-rle', `${bytes.length - p} unexpected bytes after the last run`);
  return header;
}

/**
 * Decodes and validates an "RM" mask. Throws MaskFormatError (INVALID_INPUT) on bad magic, version
 * or flags, truncated input, malformed varints, or runs that do not add up to width × height; and
 * (PAYLOAD_TOO_LARGE) when the mask exceeds `options.maxPixels`.
 */
export function decodeMask(bytes: Uint8Array, options: DecodeOptions = {}): DecodedMask {
  // Validate everything before allocating the pixel buffer, so garbage costs no memory.
  const header = walkRuns(bytes, options, () => {});
  const mask = new Uint8Array(header.width * header.height);
  walkRuns(bytes, options, (start, length) => mask.fill(1, start, start + length));
  return { width: header.width, height: header.height, mask };
}

/** Foreground pixel count of an encoded mask, without decoding it. Validates like `decodeMask`. */
export function maskArea(bytes: Uint8Array, options: DecodeOptions = {}): number {
  let area = 0;
  walkRuns(bytes, options, (_start, length) => {
    area += length;
  });
  return area;
}

/**
 * Tight bounding box `[x, y, width, height]` of the foreground of an encoded mask, without decoding
 * it; `[0, 0, 0, 0]` for an empty mask (as pycocotools' `toBbox`). Validates like `decodeMask`.
 */
export function maskBBox(bytes: Uint8Array, options: DecodeOptions = {}): BBox {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = -1;
  let y1 = -1;
  const w = readMaskHeader(bytes, options).width;
  walkRuns(bytes, options, (start, length) => {
    const end = start + length - 1;
    const rowStart = Math.floor(start / w);
    const rowEnd = Math.floor(end / w);
    y0 = Math.min(y0, rowStart);
    y1 = Math.max(y1, rowEnd);
    if (rowStart === rowEnd) {
      x0 = Math.min(x0, start - rowStart * w);
      x1 = Math.max(x1, end - rowEnd * w);
    } else {
      // A run crossing a row boundary covers the end of one row and the start of the next.
      x0 = 0;
      x1 = w - 1;
    }
  });
  if (x1 < 0) return [0, 0, 0, 0];
  return [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
