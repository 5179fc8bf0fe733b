/**
 * The label map an overlay paints: 0 background, k the inside of the k-th selected object, k | 128
 * its outline (a pixel with a 4-neighbour of another label; the frame's border is no outline).
 * This is on the per-frame path of the overlay export, and masks are mostly empty: masks are
 * scanned four pixels at a time, and the groups of four that hold a label are listed so later
 * passes (outline, blend) visit only those.
 */
import type { ExportObject, FrameMasks } from './types.ts';

/** Objects one outlined label map can hold. */
export const MAX_OUTLINED_OBJECTS = 127;
/** The bit that marks an outline pixel. */
export const OUTLINE = 128;

/** An outlined label map and the indices of its non-zero 4-pixel groups. */
export interface OutlinedLabels {
  labels: Uint8Array;
  /** Group g covers pixels 4g … 4g + 3; the first `count` entries are valid. */
  groups: Int32Array;
  count: number;
}

function words(a: Uint8Array): Uint32Array | undefined {
  return a.byteOffset % 4 === 0 && a.length % 4 === 0
    ? new Uint32Array(a.buffer, a.byteOffset, a.length / 4)
    : undefined;
}

/** Reusable buffers for one frame size (width × height must be a multiple of 4). */
export function outlinedLabelsBuffer(width: number, height: number): OutlinedLabels {
  const pixels = width * height;
  return { labels: new Uint8Array(pixels), groups: new Int32Array(Math.ceil(pixels / 4)), count: 0 };
}

/** Fills `buf` with the outlined label map of one frame; later objects are drawn over earlier ones. */
export function outlinedLabels(
  masks: FrameMasks,
  objects: readonly ExportObject[],
  width: number,
  height: number,
  buf: OutlinedLabels,
): OutlinedLabels {
  const pixels = width * height;
  const out = buf.labels;
  const lw = words(out)!;
  // Clear only what the previous frame wrote.
  for (let i = 0; i < buf.count; i++) lw[buf.groups[i]!] = 0;
  let count = 0;
  objects.forEach((o, k) => {
    const m = masks.get(o.id);
    if (!m || m.length !== pixels) return;
    const label = k + 1;
    // Eight pixels per test: masks are 0/1 bytes, so a group is empty exactly when its 8 bytes
    // read as the double +0 (-0 would need a byte of 0x80). Unaligned masks are copied first.
    const aligned = m.byteOffset % 8 === 0 ? m : m.slice();
    const eights = new Float64Array(aligned.buffer, aligned.byteOffset, pixels >> 3);
    for (let e = 0; e < eights.length; e++) {
      if (eights[e] === 0) continue;
      for (let w = 2 * e; w < 2 * e + 2; w++) {
        const p = 4 * w;
        if ((m[p]! | m[p + 1]! | m[p + 2]! | m[p + 3]!) === 0) continue;
        if (lw[w] === 0) buf.groups[count++] = w;
        if (m[p] !== 0) out[p] = label;
        if (m[p + 1] !== 0) out[p + 1] = label;
        if (m[p + 2] !== 0) out[p + 2] = label;
        if (m[p + 3] !== 0) out[p + 3] = label;
      }
    }
    // The last pixels when the frame is not a multiple of 8 pixels.
    for (let w = 2 * eights.length; w < lw.length; w++) {
      const p = 4 * w;
      if ((m[p]! | m[p + 1]! | m[p + 2]! | m[p + 3]!) === 0) continue;
      if (lw[w] === 0) buf.groups[count++] = w;
      for (let q = p; q < p + 4; q++) if (m[q] !== 0) out[q] = label;
    }
  });
  buf.count = count;
  for (let i = 0; i < count; i++) {
    const w = buf.groups[i]!;
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
  return buf;
}
