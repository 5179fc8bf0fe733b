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

/** Upsample + threshold without the span shortcut (x pass per source row, then row blends). */
function upsampleToMaskDense(
  logits: Float32Array,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  out: Uint8Array,
): Uint8Array {
  const f = Math.fround;
  forEachUpsampledRow(logits, inW, inH, outW, outH, (y, row) => {
    const base = y * outW;
    for (let x = 0; x < outW; x++) out[base + x] = f(row[x] as number) > 0 ? 1 : 0;
  });
  return out;
}

/** Output spans of one axis that share the same source index: `[i0, start, end)` triples. */
const spans = new Map<string, Int32Array>();
function axisSpans(inSize: number, outSize: number): Int32Array {
  const key = `${inSize}:${outSize}`;
  const hit = spans.get(key);
  if (hit) return hit;
  const t = bilinearAxis(inSize, outSize);
  const list: number[] = [];
  let start = 0;
  for (let o = 1; o <= outSize; o++) {
    if (o === outSize || t.i0[o] !== t.i0[start]) {
      list.push(t.i0[start] as number, start, o);
      start = o;
    }
  }
  const arr = Int32Array.from(list);
  spans.set(key, arr);
  return arr;
}

/** Below this magnitude a blend of same-sign values could underflow to 0: decide per pixel. */
const TINY = 1e-30;

/**
 * Upsample + threshold (> 0) straight into a 0/1 mask. This is on the interactive click path:
 * where the 2×2 source neighbourhood of an output span is all positive or all negative, the
 * blend has that sign and the span is filled at once; only spans on the mask boundary are
 * interpolated (with the same float32 arithmetic as `upsampleBilinear`).
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
  const xs = axisSpans(inW, outW);
  const ys = axisSpans(inH, outH);
  // Sign class of each source cell (its value and the right/lower neighbours the blend uses).
  const cls = new Uint8Array(inW * inH); // 0 all negative, 1 all > TINY, 2 mixed
  let mixed = 0;
  for (let y = 0; y < inH; y++) {
    const y1 = y < inH - 1 ? y + 1 : y;
    for (let x = 0; x < inW; x++) {
      const x1 = x < inW - 1 ? x + 1 : x;
      const a = logits[y * inW + x] as number;
      const b = logits[y * inW + x1] as number;
      const c = logits[y1 * inW + x] as number;
      const d = logits[y1 * inW + x1] as number;
      const k = a > TINY && b > TINY && c > TINY && d > TINY ? 1 : a < 0 && b < 0 && c < 0 && d < 0 ? 0 : 2;
      cls[y * inW + x] = k;
      if (k === 2) mixed++;
    }
  }
  // Textured logits (boundaries everywhere): the plain two-pass loop is faster than spans.
  if (mixed > 0.2 * inW * inH) return upsampleToMaskDense(logits, inW, inH, outW, outH, out);
  const f = Math.fround;
  const runEnd = new Int32Array(xs.length / 3); // per span index: first span of the next run
  for (let sy = 0; sy < ys.length; sy += 3) {
    const y0 = ys[sy] as number;
    const yStart = ys[sy + 1] as number;
    const yEnd = ys[sy + 2] as number;
    const r0 = y0 * inW;
    const r1 = (ty.i1[yStart] as number) * inW;
    // Runs of spans with one sign class along this source row (few: they change at boundaries).
    for (let j = xs.length / 3 - 1, next = xs.length / 3; j >= 0; j--) {
      if (j + 1 < xs.length / 3 && cls[r0 + (xs[(j + 1) * 3] as number)] !== cls[r0 + (xs[j * 3] as number)])
        next = j + 1;
      runEnd[j] = next;
    }
    for (let y = yStart; y < yEnd; y++) {
      const base = y * outW;
      const wa = ty.w0[y] as number;
      const wb = ty.w1[y] as number;
      for (let j = 0; j < xs.length / 3; ) {
        const k = cls[r0 + (xs[j * 3] as number)] as number;
        const stop = runEnd[j] as number;
        if (k !== 2) {
          out.fill(k, base + (xs[j * 3 + 1] as number), base + (xs[stop * 3 - 1] as number));
          j = stop;
          continue;
        }
        for (; j < stop; j++) {
          const x0 = xs[j * 3] as number;
          const xStart = xs[j * 3 + 1] as number;
          const xEnd = xs[j * 3 + 2] as number;
          const x1 = tx.i1[xStart] as number;
          for (let x = xStart; x < xEnd; x++) {
            const w0 = tx.w0[x] as number;
            const w1 = tx.w1[x] as number;
            const h0 = f((logits[r0 + x0] as number) * w0 + (logits[r0 + x1] as number) * w1);
            const h1 = f((logits[r1 + x0] as number) * w0 + (logits[r1 + x1] as number) * w1);
            out[base + x] = f(h0 * wa + h1 * wb) > 0 ? 1 : 0;
          }
        }
      }
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
