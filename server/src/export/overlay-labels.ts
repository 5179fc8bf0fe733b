/**
 * The label map an overlay paints: 0 background, k the inside of the k-th selected object, k | 128
 * its outline (a pixel with a 4-neighbour of another label; the frame's border is no outline).
 * All-zero runs of masks and labels are skipped four pixels at a time: masks are mostly empty,
 * and this is on the per-frame path of the overlay export.
 */
import type { ExportObject, FrameMasks } from './types.ts';

/** Objects one outlined label map can hold. */
export const MAX_OUTLINED_OBJECTS = 127;
/** The bit that marks an outline pixel. */
export const OUTLINE = 128;

function words(a: Uint8Array): Uint32Array | undefined {
  return a.byteOffset % 4 === 0 && a.length % 4 === 0
    ? new Uint32Array(a.buffer, a.byteOffset, a.length / 4)
    : undefined;
}

/**
 * Fills `out` (width × height, length a multiple of 4, 4-byte aligned) with the outlined label map
 * of one frame; later objects are drawn over earlier ones.
 */
export function outlinedLabels(
  masks: FrameMasks,
  objects: readonly ExportObject[],
  width: number,
  height: number,
  out: Uint8Array,
): Uint8Array {
  const pixels = width * height;
  out.fill(0);
  objects.forEach((o, k) => {
    const m = masks.get(o.id);
    if (!m || m.length !== pixels) return;
    const label = k + 1;
    const mw = words(m);
    if (!mw) {
      for (let p = 0; p < pixels; p++) if (m[p] !== 0) out[p] = label;
      return;
    }
    for (let w = 0; w < mw.length; w++) {
      if (mw[w] === 0) continue;
      for (let p = 4 * w; p < 4 * w + 4; p++) if (m[p] !== 0) out[p] = label;
    }
  });
  const lw = words(out)!;
  for (let w = 0; w < lw.length; w++) {
    if (lw[w] === 0) continue;
    for (let p = 4 * w; p < 4 * w + 4; p++) {
      const k = out[p]! & ~OUTLINE;
      if (k === 0) continue;
      const x = p % width;
      if (
        (x > 0 && (out[p - 1]! & ~OUTLINE) !== k) ||
        (x < width - 1 && (out[p + 1]! & ~OUTLINE) !== k) ||
        (p >= width && (out[p - width]! & ~OUTLINE) !== k) ||
        (p + width < pixels && (out[p + width]! & ~OUTLINE) !== k)
      ) {
        out[p] = k | OUTLINE;
      }
    }
  }
  return out;
}
