/**
 * The editor's view of a frame: frame pixel (x, y) is drawn at screen (x·scale + tx, y·scale + ty)
 * in CSS pixels of the canvas element. Every pointer event and every drawing goes through these
 * functions, so a click lands on the frame pixel under the cursor at any zoom and pan.
 */

/** A uniform scale and a translation, frame pixels → canvas CSS pixels. */
export interface ViewTransform {
  scale: number;
  tx: number;
  ty: number;
}

/** A point in some 2-D space. */
export interface Vec {
  x: number;
  y: number;
}

/** Zoom limits relative to the frame's own pixels: 1/20 down to 40× up. */
export const MIN_SCALE = 0.05;
export const MAX_SCALE = 40;

/** The transform that shows the whole frame centred in the viewport, with a margin of `pad` CSS px. */
export function fitTransform(
  frameW: number,
  frameH: number,
  viewW: number,
  viewH: number,
  pad = 8,
): ViewTransform {
  const availW = Math.max(1, viewW - 2 * pad);
  const availH = Math.max(1, viewH - 2 * pad);
  const scale = clampScale(Math.min(availW / frameW, availH / frameH));
  return { scale, tx: (viewW - frameW * scale) / 2, ty: (viewH - frameH * scale) / 2 };
}

/** Canvas CSS pixel → frame pixel (fractional). */
export function screenToFrame(v: ViewTransform, p: Vec): Vec {
  return { x: (p.x - v.tx) / v.scale, y: (p.y - v.ty) / v.scale };
}

/** Frame pixel → canvas CSS pixel. */
export function frameToScreen(v: ViewTransform, p: Vec): Vec {
  return { x: p.x * v.scale + v.tx, y: p.y * v.scale + v.ty };
}

function clampScale(s: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));
}

/**
 * Zooms by `factor` keeping the frame point under `anchor` (a screen point, e.g. the cursor) where
 * it is, the way every map and image editor zooms with the wheel.
 */
export function zoomAt(v: ViewTransform, factor: number, anchor: Vec): ViewTransform {
  const scale = clampScale(v.scale * factor);
  const f = screenToFrame(v, anchor);
  return { scale, tx: anchor.x - f.x * scale, ty: anchor.y - f.y * scale };
}

/** Moves the view by a screen-space delta (a pan drag). */
export function panBy(v: ViewTransform, dx: number, dy: number): ViewTransform {
  return { scale: v.scale, tx: v.tx + dx, ty: v.ty + dy };
}

/** Wheel delta (pixels) → zoom factor: smooth for trackpads, one notch (≈100 px) ≈ ×1.2. */
export function wheelZoomFactor(deltaY: number): number {
  return Math.exp(-deltaY * 0.0018);
}

/** A point clamped inside the frame (prompts outside it are refused by the server). */
export function clampToFrame(p: Vec, frameW: number, frameH: number): Vec {
  return { x: Math.min(frameW, Math.max(0, p.x)), y: Math.min(frameH, Math.max(0, p.y)) };
}
