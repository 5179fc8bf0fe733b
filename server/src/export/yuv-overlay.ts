/**
 * Overlay blending on limited-range planar YUV 4:2:0: each labelled pixel is blended towards its
 * object's colour (outlines solid). Chroma samples take the label of the top-left pixel of their
 * 2×2 block. Only labelled pixels are touched.
 */
import { OVERLAY_OPACITY } from './compose.ts';
import { OUTLINE, type OutlinedLabels } from './overlay-labels.ts';

/** Bytes of one yuv420p frame. */
export function yuv420Size(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/** Limited-range BT.601 YCbCr of each colour (`rgb` packed), as `[y, cb, cr, …]`. */
export function yuvPalette(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i]!;
    const g = rgb[i + 1]!;
    const b = rgb[i + 2]!;
    out[i] = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
    out[i + 1] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
    out[i + 2] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
  }
  return out;
}

/** Blends an outlined label map (see `outlinedLabels`) into a limited-range yuv420p frame in place. */
export function blendYuvOverlay(
  yuv: Uint8Array,
  map: OutlinedLabels,
  palette: Uint8Array,
  width: number,
  height: number,
  opacity = OVERLAY_OPACITY,
): void {
  const a = Math.round(opacity * 256);
  const keep = 256 - a;
  const cw = Math.ceil(width / 2);
  const uOff = width * height;
  const vOff = uOff + cw * Math.ceil(height / 2);
  const labels = map.labels;
  for (let i = 0; i < map.count; i++) {
    const w = map.groups[i]!;
    for (let p = 4 * w; p < 4 * w + 4; p++) {
      const l = labels[p]!;
      if (l === 0) continue;
      const c = 3 * ((l & ~OUTLINE) - 1);
      const solid = (l & OUTLINE) !== 0;
      yuv[p] = solid ? palette[c]! : (yuv[p]! * keep + palette[c]! * a) >> 8;
      const y = (p / width) | 0;
      const x = p - y * width;
      if ((x & 1) !== 0 || (y & 1) !== 0) continue;
      const q = (y >> 1) * cw + (x >> 1);
      yuv[uOff + q] = solid ? palette[c + 1]! : (yuv[uOff + q]! * keep + palette[c + 1]! * a) >> 8;
      yuv[vOff + q] = solid ? palette[c + 2]! : (yuv[vOff + q]! * keep + palette[c + 2]! * a) >> 8;
    }
  }
}
