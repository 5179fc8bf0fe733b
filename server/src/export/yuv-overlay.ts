/**
 * Overlay blending on planar YUV 4:2:0, as ffmpeg decodes JPEG frames: full-range (JPEG) samples
 * are mapped to the limited range H.264 players expect, then each labelled pixel is blended
 * towards its object's colour (outlines solid). Chroma samples take the label of the top-left
 * pixel of their 2×2 block. Only labelled pixels are touched beyond the range mapping.
 */
import { OVERLAY_OPACITY } from './compose.ts';
import { OUTLINE, type OutlinedLabels } from './overlay-labels.ts';

/** Full → limited range (BT.601): Y 0..255 → 16..235, chroma 0..255 → 16..240 around 128. */
const luma = (v: number) => Math.round(16 + (v * 219) / 255);
const chroma = (v: number) => Math.round(128 + ((v - 128) * 224) / 255);

/**
 * The same mappings two samples at a time (a 16-bit word in, a word out, either byte order since
 * both bytes map alike): half the lookups of a byte table, at 128 KiB per table.
 */
function pairTable(map: (v: number) => number): Uint16Array {
  const t = new Uint16Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = map(i & 0xff) | (map(i >> 8) << 8);
  return t;
}
let tables: { luma: Uint16Array; chroma: Uint16Array } | undefined;

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

/** Maps a full-range yuv420p frame (yuvj420p) to limited range in place. */
export function toLimitedRange(yuv: Uint8Array, width: number, height: number): void {
  tables ??= { luma: pairTable(luma), chroma: pairTable(chroma) };
  const lumaBytes = width * height;
  const aligned = yuv.byteOffset % 2 === 0 && lumaBytes % 2 === 0 && yuv.length % 2 === 0;
  if (!aligned) {
    for (let i = 0; i < lumaBytes; i++) yuv[i] = luma(yuv[i]!);
    for (let i = lumaBytes; i < yuv.length; i++) yuv[i] = chroma(yuv[i]!);
    return;
  }
  const pairs = new Uint16Array(yuv.buffer, yuv.byteOffset, yuv.length / 2);
  const { luma: lt, chroma: ct } = tables;
  const split = lumaBytes / 2;
  for (let i = 0; i < split; i++) pairs[i] = lt[pairs[i]!]!;
  for (let i = split; i < pairs.length; i++) pairs[i] = ct[pairs[i]!]!;
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
