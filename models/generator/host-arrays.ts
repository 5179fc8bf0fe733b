/** Array helpers of the check's minimal host: npz reading, resizing, token layouts, sine encoding. */
import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';

const HW = 4096;

/** Reads the arrays of an .npz (stored or deflated zip of little-endian float32 .npy). */
export async function readNpz(path: string): Promise<Map<string, Float32Array>> {
  const buf = await readFile(path);
  const out = new Map<string, Float32Array>();
  let off = 0;
  while (buf.readUInt32LE(off) === 0x04034b50) {
    const method = buf.readUInt16LE(off + 8);
    const size = buf.readUInt32LE(off + 18);
    const nameLen = buf.readUInt16LE(off + 26);
    const extraLen = buf.readUInt16LE(off + 28);
    const name = buf.toString('utf8', off + 30, off + 30 + nameLen).replace(/\.npy$/, '');
    const start = off + 30 + nameLen + extraLen;
    const raw = buf.subarray(start, start + size);
    const npy = method === 8 ? inflateRawSync(raw) : raw;
    const headerLen = npy.readUInt16LE(8);
    const body = npy.subarray(10 + headerLen);
    out.set(name, new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)));
    off = start + size;
  }
  return out;
}

/** Bilinear resize of a single-channel map, half-pixel centres (PyTorch align_corners=False). */
export function resizeBilinear(
  src: Float32Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
): Float32Array {
  const out = new Float32Array(dw * dh);
  const fx = sw / dw;
  const fy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const syf = Math.max((y + 0.5) * fy - 0.5, 0);
    const y0 = Math.min(Math.floor(syf), sh - 1);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = syf - y0;
    for (let x = 0; x < dw; x++) {
      const sxf = Math.max((x + 0.5) * fx - 0.5, 0);
      const x0 = Math.min(Math.floor(sxf), sw - 1);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = sxf - x0;
      const a = (src[y0 * sw + x0] ?? 0) * (1 - wx) + (src[y0 * sw + x1] ?? 0) * wx;
      const b = (src[y1 * sw + x0] ?? 0) * (1 - wx) + (src[y1 * sw + x1] ?? 0) * wx;
      out[y * dw + x] = a * (1 - wy) + b * wy;
    }
  }
  return out;
}

/** 1-D sine position encoding of SAM2 (`get_1d_sine_pe`): [sin(p / T^(2⌊i/2⌋/d)), cos(…)]. */
export function sinePe(pos: number, dim: number): Float32Array {
  const half = dim / 2;
  const out = new Float32Array(dim);
  for (let i = 0; i < half; i++) {
    const v = pos / 10000 ** ((2 * Math.floor(i / 2)) / half);
    out[i] = Math.sin(v);
    out[half + i] = Math.cos(v);
  }
  return out;
}

/** [1,C,64,64] channel-major → [4096,C] token-major. */
export function toTokens(nchw: Float32Array, c: number): Float32Array {
  const out = new Float32Array(HW * c);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < HW; i++) out[i * c + ch] = nchw[ch * HW + i] ?? 0;
  return out;
}

export function fromTokens(tokens: Float32Array, c: number): Float32Array {
  const out = new Float32Array(HW * c);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < HW; i++) out[ch * HW + i] = tokens[i * c + ch] ?? 0;
  return out;
}

/** Low-res logits → frame-size 0/1 mask (bilinear, threshold 0). */
export function toFrameMask(lowRes: Float32Array, w: number, h: number): Uint8Array {
  const up = resizeBilinear(lowRes, 256, 256, w, h);
  return Uint8Array.from(up, (v) => (v > 0 ? 1 : 0));
}
