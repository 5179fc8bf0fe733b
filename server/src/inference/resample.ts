/**
 * Pillow's bicubic resize, bit for bit: the official SAM2 loader resizes frames with
 * `PIL.Image.resize((1024, 1024))` (bicubic, a = −0.5), and feeding the encoder anything else
 * starts every comparison from a different image.
 *
 * Pillow's 8-bit pipeline (libImaging/Resample.c): coefficients are computed in double, normalised
 * to sum 1, converted to fixed point with PRECISION_BITS = 22, then a horizontal pass and a vertical
 * pass each accumulate in integers (starting at ½ for rounding) and clip to uint8. The support is
 * scaled by the downsampling factor when shrinking.
 */

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
const SUPPORT = 2;

function bicubic(x: number): number {
  const a = -0.5;
  const ax = x < 0 ? -x : x;
  if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
  if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
  return 0;
}

/** Fixed-point coefficients of one axis: `ksize` weights per output index, from `bounds[2i]` on. */
export interface AxisCoeffs {
  ksize: number;
  /** Per output index: first input index, number of taps. */
  bounds: Int32Array;
  /** Fixed-point weights, `ksize` per output index. */
  weights: Int32Array;
}

const coeffCache = new Map<string, AxisCoeffs>();

/** Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for a full-range box (0..inSize). */
export function axisCoeffs(inSize: number, outSize: number): AxisCoeffs {
  const key = `${inSize}:${outSize}`;
  const hit = coeffCache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = SUPPORT * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < ksize; x++) {
      let w = x < xmax ? (k[x] as number) : 0;
      if (x < xmax && ww !== 0) w /= ww;
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  const c = { ksize, bounds, weights };
  coeffCache.set(key, c);
  return c;
}

function clip8(v: number): number {
  if (v >= ONE << 8) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

/**
 * Resizes interleaved 8-bit pixels (`channels` per pixel) like Pillow's `Image.resize(size,
 * BICUBIC)`: horizontal pass on the rows the vertical pass needs, then the vertical pass.
 */
export function resizeBicubicPillow(
  src: Uint8Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const needH = outWidth !== width;
  const needV = outHeight !== height;
  const horiz = axisCoeffs(width, outWidth);
  const vert = axisCoeffs(height, outHeight);
  const firstRow = needV ? (vert.bounds[0] as number) : 0;
  const lastRow = needV
    ? (vert.bounds[outHeight * 2 - 2] as number) + (vert.bounds[outHeight * 2 - 1] as number)
    : height;

  let mid = src;
  let midWidth = width;
  let rowOffset = 0;
  if (needH) {
    const rows = lastRow - firstRow;
    mid = new Uint8Array(outWidth * rows * channels);
    midWidth = outWidth;
    rowOffset = firstRow;
    const { ksize, bounds, weights } = horiz;
    for (let y = 0; y < rows; y++) {
      const inRow = (y + firstRow) * width * channels;
      const outRow = y * outWidth * channels;
      if (channels === 3) {
        // The common case, unrolled over channels: one pass over the taps.
        for (let xx = 0; xx < outWidth; xx++) {
          const xmin = bounds[xx * 2] as number;
          const xmax = bounds[xx * 2 + 1] as number;
          const kb = xx * ksize;
          let s0 = HALF;
          let s1 = HALF;
          let s2 = HALF;
          for (let x = 0, p = inRow + xmin * 3; x < xmax; x++, p += 3) {
            const k = weights[kb + x] as number;
            s0 += (src[p] as number) * k;
            s1 += (src[p + 1] as number) * k;
            s2 += (src[p + 2] as number) * k;
          }
          const o = outRow + xx * 3;
          mid[o] = clip8(s0);
          mid[o + 1] = clip8(s1);
          mid[o + 2] = clip8(s2);
        }
        continue;
      }
      for (let xx = 0; xx < outWidth; xx++) {
        const xmin = bounds[xx * 2] as number;
        const xmax = bounds[xx * 2 + 1] as number;
        const kb = xx * ksize;
        for (let c = 0; c < channels; c++) {
          let ss = HALF;
          let p = inRow + xmin * channels + c;
          for (let x = 0; x < xmax; x++, p += channels)
            ss += (src[p] as number) * (weights[kb + x] as number);
          mid[outRow + xx * channels + c] = clip8(ss);
        }
      }
    }
  }
  if (!needV) return mid === src ? src.slice() : mid;
  const out = new Uint8Array(outWidth * outHeight * channels);
  const { ksize, bounds, weights } = vert;
  const stride = midWidth * channels;
  // Row-wise accumulation (sequential memory access) in int32, as Pillow's accumulators.
  const acc = new Int32Array(stride);
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = (bounds[yy * 2] as number) - rowOffset;
    const ymax = bounds[yy * 2 + 1] as number;
    const kb = yy * ksize;
    acc.fill(HALF);
    for (let y = 0; y < ymax; y++) {
      const k = weights[kb + y] as number;
      const row = (ymin + y) * stride;
      for (let i = 0; i < stride; i++) acc[i] = ((acc[i] as number) + (mid[row + i] as number) * k) | 0;
    }
    const outRow = yy * stride;
    for (let i = 0; i < stride; i++) out[outRow + i] = clip8(acc[i] as number);
  }
  return out;
}
