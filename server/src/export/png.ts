/**
 * Hand-written PNG encoders for what sharp does not write directly: 8-bit indexed (palette) PNGs
 * with a chosen palette, as DAVIS annotations are. Rows are stored with filter 0: label maps are
 * large flat areas that deflate compresses well without prediction.
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from '../storage/crc32.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes an 8-bit indexed PNG: `indices` holds one palette index per pixel (row-major),
 * `palette` is `3 × n` bytes of RGB (n ≤ 256). Indices past the palette are the caller's mistake.
 */
export function encodeIndexedPng(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: indexed
  // compression, filter, interlace: 0
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('PLTE', palette),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * The PASCAL VOC colour map (also DAVIS's and YouTube-VOS's): index 0 black, 1 dark red, 2 dark
 * green, …, from the bit-interleaving rule of the VOC development kit. 256 × RGB.
 */
export function vocPalette(): Uint8Array {
  const out = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = i;
    for (let j = 0; j < 8; j++) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    out[3 * i] = r;
    out[3 * i + 1] = g;
    out[3 * i + 2] = b;
  }
  return out;
}
