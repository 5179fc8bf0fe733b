/**
 * The overlay painted straight from stored masks: a session keeps each mask as RM run-length
 * bytes, and the overlay needs only where each object's runs are. So the label map is filled run
 * by run (a native `fill` per run, no full-frame mask decoded per object and frame), the painted
 * row segments are remembered, and the blend visits those segments alone, finding outlines by
 * comparing each painted pixel with its four neighbours in the label map. Buffers live as long as
 * the export: nothing frame-sized is allocated per frame.
 *
 * The picture is the same as `outlinedLabels` + `blendYuvOverlay` give (later objects over
 * earlier ones; an outline is a pixel with a 4-neighbour of another label, the frame border is
 * none; chroma takes the label of the top-left pixel of its 2×2 block).
 */
import { OVERLAY_OPACITY } from './compose.ts';

/** Offset of the run count in an RM mask (after magic, version, flags, width, height). */
const RM_HEADER_BYTES = 12;

/** Reads the RM header's size; undefined when the bytes are not an RM v1 mask. */
function rmSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < RM_HEADER_BYTES + 1 || bytes[0] !== 0x52 || bytes[1] !== 0x4d || bytes[2] !== 1) {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(4, true), height: view.getUint32(8, true) };
}

/** A frame's overlay from run-length masks, with buffers reused from frame to frame. */
export class RunOverlay {
  private readonly labels: Uint8Array;
  /** Painted row segments as (start, end, label) triples; the first `count` are this frame's. */
  private segments = new Int32Array(3 * 1024);
  private count = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.labels = new Uint8Array(width * height);
  }

  /**
   * Paints the label map of one frame: `objectIds[k]` gets label k + 1. Returns false, painting
   * nothing, when a mask is not an RM mask of this frame's size (the caller then takes the
   * decoding path, which resamples).
   */
  paint(runs: ReadonlyMap<number, Uint8Array>, objectIds: readonly number[]): boolean {
    for (const id of objectIds) {
      const bytes = runs.get(id);
      if (!bytes) continue;
      const size = rmSize(bytes);
      if (size?.width !== this.width || size.height !== this.height) return false;
    }
    this.clear();
    const pixels = this.width * this.height;
    for (let k = 0; k < objectIds.length; k++) {
      const bytes = runs.get(objectIds[k]!);
      if (!bytes) continue;
      let pos = RM_HEADER_BYTES;
      // Unsigned LEB128 varints: the run count, then the runs (background first).
      let n = 0;
      for (let shift = 0; ; shift += 7) {
        const b = bytes[pos++]!;
        n += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
      }
      let p = 0;
      for (let r = 0; r < n && pos < bytes.length; r++) {
        let len = 0;
        for (let shift = 0; ; shift += 7) {
          const b = bytes[pos++]!;
          len += (b & 0x7f) * 2 ** shift;
          if (b < 0x80 || pos >= bytes.length) break;
        }
        const end = Math.min(pixels, p + len);
        if ((r & 1) === 1 && end > p) this.addRun(p, end, k + 1);
        p = end;
      }
    }
    return true;
  }

  /** Blends the painted objects into a limited-range yuv420p frame in place (outlines solid). */
  blend(yuv: Uint8Array, palette: Uint8Array, opacity = OVERLAY_OPACITY): void {
    const { width, height, labels, segments } = this;
    const a = Math.round(opacity * 256);
    const keep = 256 - a;
    const cw = Math.ceil(width / 2);
    const uOff = width * height;
    const vOff = uOff + cw * Math.ceil(height / 2);
    for (let i = 0; i < 3 * this.count; i += 3) {
      const s = segments[i]!;
      const e = segments[i + 1]!;
      const label = segments[i + 2]!;
      const c = 3 * (label - 1);
      const pY = palette[c]!;
      const pU = palette[c + 1]!;
      const pV = palette[c + 2]!;
      const y = (s / width) | 0;
      const rowStart = y * width;
      const hasUp = y > 0;
      const hasDown = y < height - 1;
      const chromaRow = (y & 1) === 0 ? (y >> 1) * cw : -1;
      for (let p = s; p < e; p++) {
        // A later object painted over this pixel: it is blended with that object's segment.
        if (labels[p] !== label) continue;
        const x = p - rowStart;
        const solid =
          (x > 0 && labels[p - 1] !== label) ||
          (x < width - 1 && labels[p + 1] !== label) ||
          (hasUp && labels[p - width] !== label) ||
          (hasDown && labels[p + width] !== label);
        yuv[p] = solid ? pY : (yuv[p]! * keep + pY * a) >> 8;
        if (chromaRow < 0 || (x & 1) !== 0) continue;
        const q = chromaRow + (x >> 1);
        yuv[uOff + q] = solid ? pU : (yuv[uOff + q]! * keep + pU * a) >> 8;
        yuv[vOff + q] = solid ? pV : (yuv[vOff + q]! * keep + pV * a) >> 8;
      }
    }
  }

  /** Clears what the previous frame painted (not the whole map: masks cover a fraction of it). */
  private clear(): void {
    const { labels, segments } = this;
    for (let i = 0; i < 3 * this.count; i += 3) labels.fill(0, segments[i]!, segments[i + 1]!);
    this.count = 0;
  }

  /** Paints pixels [start, end) with `label`, one segment per row it crosses. */
  private addRun(start: number, end: number, label: number): void {
    const { width, labels } = this;
    let s = start;
    while (s < end) {
      const e = Math.min(end, ((s / width) | 0) * width + width);
      if (3 * this.count + 3 > this.segments.length) {
        const grown = new Int32Array(this.segments.length * 2);
        grown.set(this.segments);
        this.segments = grown;
      }
      const i = 3 * this.count++;
      this.segments[i] = s;
      this.segments[i + 1] = e;
      this.segments[i + 2] = label;
      labels.fill(label, s, e);
      s = e;
    }
  }
}
