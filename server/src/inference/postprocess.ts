/**
 * Low-resolution mask logits → frame-size masks, with PyTorch's
 * `F.interpolate(mode="bilinear", align_corners=False)` semantics (the official predictor's), and
 * the 256 → 1024 upsample that feeds the memory encoder.
 *
 * PyTorch's CPU kernel interpolates along x first, then blends the two rows with the y weights;
 * the same order is kept here so the results agree to float rounding. Index/weight tables are
 * cached per (in, out) size, the row buffer is reused.
 */

interface AxisTable {
  i0: Int32Array;
  i1: Int32Array;
  w0: Float32Array;
  w1: Float32Array;
}

const tables = new Map<string, AxisTable>();

/** PyTorch's `area_pixel_compute_source_index` + `guard_index_and_lambda` (float32 weights). */
export function bilinearAxis(inSize: number, outSize: number): AxisTable {
  const key = `${inSize}:${outSize}`;
  const hit = tables.get(key);
  if (hit) return hit;
  const f = Math.fround;
  const scale = f(inSize / outSize);
  const t: AxisTable = {
    i0: new Int32Array(outSize),
    i1: new Int32Array(outSize),
    w0: new Float32Array(outSize),
    w1: new Float32Array(outSize),
  };
  for (let o = 0; o < outSize; o++) {
    // Scale in float32 but the source index in double: this is what matches PyTorch's CPU kernel
    // bit for bit on the parity fixture (an all-float32 index flips ~1 pixel per frame).
    let src = scale * (o + 0.5) - 0.5;
    if (src < 0) src = 0;
    const i = Math.min(Math.floor(src), inSize - 1);
    const lambda = f(Math.min(Math.max(src - i, 0), 1));
    t.i0[o] = i;
    t.i1[o] = i < inSize - 1 ? i + 1 : i;
    t.w1[o] = lambda;
    t.w0[o] = f(1 - lambda);
  }
  tables.set(key, t);
  return t;
}

/** Calls `emit(y, row)` with each upsampled output row (float32 values), reusing one row buffer. */
function forEachUpsampledRow(
  src: Float32Array,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  emit: (y: number, row: Float32Array) => void,
): void {
  const tx = bilinearAxis(inW, outW);
  const ty = bilinearAxis(inH, outH);
  // x-interpolated source rows, computed lazily (each source row is needed by ~outH/inH outputs).
  const hrows = new Float32Array(inH * outW);
  const done = new Uint8Array(inH);
  const row = new Float32Array(outW);
  const hrow = (y: number): number => {
    const base = y * outW;
    if (done[y] === 0) {
      const s = y * inW;
      for (let x = 0; x < outW; x++) {
        hrows[base + x] =
          (src[s + (tx.i0[x] as number)] as number) * (tx.w0[x] as number) +
          (src[s + (tx.i1[x] as number)] as number) * (tx.w1[x] as number);
      }
      done[y] = 1;
    }
    return base;
  };
  for (let y = 0; y < outH; y++) {
    const a = hrow(ty.i0[y] as number);
    const b = hrow(ty.i1[y] as number);
    const wa = ty.w0[y] as number;
    const wb = ty.w1[y] as number;
    for (let x = 0; x < outW; x++) row[x] = (hrows[a + x] as number) * wa + (hrows[b + x] as number) * wb;
    emit(y, row);
  }
}

/** Bilinear upsample (align_corners=False) of a single-channel float map. */
export function upsampleBilinear(
  src: Float32Array,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  out = new Float32Array(outW * outH),
): Float32Array {
  forEachUpsampledRow(src, inW, inH, outW, outH, (y, row) => out.set(row, y * outW));
  return out;
}

/**
 * Upsample + threshold (> 0) straight into a 0/1 mask, never materialising the float image. This
 * is on the interactive click path, so the row blend and the threshold are one loop.
 */
export function upsampleToMask(
  logits: Float32Array,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  out = new Uint8Array(outW * outH),
): Uint8Array {
  const tx = bilinearAxis(inW, outW);
  const ty = bilinearAxis(inH, outH);
  const { i0: xi0, i1: xi1, w0: xw0, w1: xw1 } = tx;
  // Each source row interpolated along x once (float32, like PyTorch's intermediate).
  const hrows = new Float32Array(inH * outW);
  for (let y = 0; y < inH; y++) {
    const s = y * inW;
    const base = y * outW;
    for (let x = 0; x < outW; x++) {
      hrows[base + x] =
        (logits[s + (xi0[x] as number)] as number) * (xw0[x] as number) +
        (logits[s + (xi1[x] as number)] as number) * (xw1[x] as number);
    }
  }
  const f = Math.fround;
  for (let y = 0; y < outH; y++) {
    const a = (ty.i0[y] as number) * outW;
    const b = (ty.i1[y] as number) * outW;
    const wa = ty.w0[y] as number;
    const wb = ty.w1[y] as number;
    const base = y * outW;
    for (let x = 0; x < outW; x++) {
      // Rounded to float32 before the comparison, as the float kernel's result would be.
      out[base + x] = f((hrows[a + x] as number) * wa + (hrows[b + x] as number) * wb) > 0 ? 1 : 0;
    }
  }
  return out;
}

/**
 * The memory encoder's mask input: logits upsampled to `size`², then binarised (prompted frames)
 * or passed through a sigmoid (tracked frames), then × 20 − 10 (SAM2's sigmoid scale and bias).
 */
export function maskForMemory(
  lowRes: Float32Array,
  inSize: number,
  size: number,
  binarise: boolean,
  out = new Float32Array(size * size),
): Float32Array {
  const f = Math.fround;
  forEachUpsampledRow(lowRes, inSize, inSize, size, size, (y, row) => {
    const base = y * size;
    if (binarise) {
      for (let x = 0; x < size; x++) out[base + x] = (row[x] as number) > 0 ? 10 : -10;
    } else {
      for (let x = 0; x < size; x++) {
        const s = f(1 / (1 + Math.exp(-(row[x] as number))));
        out[base + x] = f(s * 20) - 10;
      }
    }
  });
  return out;
}
