import type { MaskRuns } from './mask-runs.ts';

/**
 * Colours binary masks into an RGBA overlay in the browser (the server sends binary masks only:
 * colouring server-side costs 5–110 ms per frame, here it is a fill per run). The overlay is drawn
 * over the frame with the opacity slider's alpha, so changing opacity repaints nothing.
 */

/** An RGBA pixel buffer, the shape of `ImageData` (tests use plain objects). */
export interface RgbaTarget {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** One mask to paint and its colour. */
export interface PaintLayer {
  runs: MaskRuns;
  /** `#rrggbb`. */
  color: string;
}

/** `fill` paints every mask pixel; `outline` only the pixels on the mask's border. */
export type PaintMode = 'fill' | 'outline';

/** `#rrggbb` → [r, g, b]. */
export function parseHexColor(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1, 7), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The 32-bit word whose bytes are r, g, b, 255 in memory order. */
function packRgba(hex: string): number {
  const [r, g, b] = parseHexColor(hex);
  return littleEndian
    ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

/**
 * Clears `target` and paints `layers` in order (a later layer covers an earlier one where they
 * overlap). Masks whose size differs from the target are skipped: they belong to another frame
 * size and drawing them would smear. Returns how many pixels were painted.
 */
export function paintMasks(
  target: RgbaTarget,
  layers: readonly PaintLayer[],
  mode: PaintMode = 'fill',
): number {
  const px = new Uint32Array(target.data.buffer, target.data.byteOffset, target.width * target.height);
  px.fill(0);
  let painted = 0;
  for (const layer of layers) {
    const { runs } = layer;
    if (runs.width !== target.width || runs.height !== target.height) continue;
    const colour = packRgba(layer.color);
    if (mode === 'fill') {
      const r = runs.runs;
      for (let i = 0; i < r.length; i += 2) {
        const start = r[i]!;
        px.fill(colour, start, start + r[i + 1]!);
      }
      painted += runs.area;
    } else {
      painted += paintOutline(px, runs, colour);
    }
  }
  return painted;
}

/** Paints the border pixels of one mask: foreground pixels with a background 4-neighbour or on the frame edge. */
function paintOutline(px: Uint32Array, m: MaskRuns, colour: number): number {
  const { width: w, height: h } = m;
  const bits = new Uint8Array(w * h);
  const r = m.runs;
  for (let i = 0; i < r.length; i += 2) bits.fill(1, r[i]!, r[i]! + r[i + 1]!);
  let painted = 0;
  for (let i = 0; i < r.length; i += 2) {
    const end = r[i]! + r[i + 1]!;
    for (let p = r[i]!; p < end; p++) {
      const x = p % w;
      const edge =
        x === 0 ||
        x === w - 1 ||
        p < w ||
        p >= w * (h - 1) ||
        bits[p - 1] === 0 ||
        bits[p + 1] === 0 ||
        bits[p - w] === 0 ||
        bits[p + w] === 0;
      if (edge) {
        px[p] = colour;
        painted++;
      }
    }
  }
  return painted;
}
