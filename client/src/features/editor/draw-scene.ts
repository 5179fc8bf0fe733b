import type { PromptSet } from '@roto/shared';
import type { MaskOverlay } from './mask-overlay.ts';
import { frameToScreen, type ViewTransform } from './view-transform.ts';

/** One object's prompts on the frame, with its colour. */
export interface ScenePrompts {
  objectId: number;
  color: string;
  prompts: PromptSet;
  selected: boolean;
}

/** Everything one paint of the editor canvas shows. */
export interface Scene {
  frame: CanvasImageSource | null;
  frameW: number;
  frameH: number;
  overlay: MaskOverlay | null;
  opacity: number;
  view: ViewTransform;
  /** Prompts on this frame per visible object, with the object's colour. */
  prompts: ScenePrompts[];
  /** Prompts sent and not answered yet (drawn faded). */
  pending: ScenePrompts[];
  /** A box being dragged, in frame pixels. */
  dragBox: { x0: number; y0: number; x1: number; y1: number } | null;
  /** Other people's cursors on this frame, in frame pixels. */
  cursors: Array<{ x: number; y: number; name: string; color: string }>;
}

/** Paints `scene` on a canvas whose backing store is `dpr` times its CSS size. */
export function drawScene(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  cssW: number,
  cssH: number,
  dpr: number,
): void {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = '#0e0f12';
  ctx.fillRect(0, 0, cssW, cssH);
  const { view } = scene;
  ctx.save();
  ctx.translate(view.tx, view.ty);
  ctx.scale(view.scale, view.scale);
  // Pixel-exact when zoomed in, so users see the mask edge they are correcting.
  ctx.imageSmoothingEnabled = view.scale < 2;
  if (scene.frame) ctx.drawImage(scene.frame, 0, 0, scene.frameW, scene.frameH);
  else {
    ctx.fillStyle = '#22242b';
    ctx.fillRect(0, 0, scene.frameW, scene.frameH);
  }
  if (scene.overlay && scene.opacity > 0) {
    ctx.globalAlpha = scene.opacity;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(scene.overlay.canvas, 0, 0);
    ctx.globalAlpha = 1;
  }
  ctx.restore();

  drawPrompts(ctx, view, scene.prompts);
  ctx.globalAlpha = 0.55;
  drawPrompts(ctx, view, scene.pending);
  ctx.globalAlpha = 1;
  if (scene.dragBox) {
    const a = frameToScreen(view, { x: scene.dragBox.x0, y: scene.dragBox.y0 });
    const z = frameToScreen(view, { x: scene.dragBox.x1, y: scene.dragBox.y1 });
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 3]);
    ctx.strokeRect(a.x, a.y, z.x - a.x, z.y - a.y);
    ctx.setLineDash([]);
  }
  for (const c of scene.cursors) {
    const s = frameToScreen(view, c);
    ctx.fillStyle = c.color;
    ctx.beginPath();
    ctx.moveTo(s.x, s.y);
    ctx.lineTo(s.x + 12, s.y + 5);
    ctx.lineTo(s.x + 5, s.y + 12);
    ctx.closePath();
    ctx.fill();
    ctx.font = '12px system-ui, sans-serif';
    const w = ctx.measureText(c.name).width + 8;
    ctx.fillRect(s.x + 12, s.y + 12, w, 16);
    ctx.fillStyle = '#101114';
    ctx.fillText(c.name, s.x + 16, s.y + 24);
  }
}

/** Boxes and click markers of some objects' prompts. */
function drawPrompts(
  ctx: CanvasRenderingContext2D,
  view: ViewTransform,
  list: readonly ScenePrompts[],
): void {
  for (const p of list) {
    const b = p.prompts.box;
    if (b) {
      const a = frameToScreen(view, { x: b.x0, y: b.y0 });
      const z = frameToScreen(view, { x: b.x1, y: b.y1 });
      ctx.strokeStyle = p.color;
      ctx.lineWidth = p.selected ? 2 : 1;
      ctx.setLineDash([6, 4]);
      ctx.strokeRect(a.x, a.y, z.x - a.x, z.y - a.y);
      ctx.setLineDash([]);
    }
    for (const pt of p.prompts.points)
      drawPoint(ctx, frameToScreen(view, pt), pt.label === 1, p.color, p.selected);
  }
}

/** A click marker: a filled disc with + (foreground) or − (background). */
function drawPoint(
  ctx: CanvasRenderingContext2D,
  s: { x: number; y: number },
  positive: boolean,
  color: string,
  selected: boolean,
): void {
  const r = selected ? 7 : 5;
  ctx.beginPath();
  ctx.arc(s.x, s.y, r, 0, Math.PI * 2);
  ctx.fillStyle = positive ? color : '#111318';
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = positive ? '#ffffff' : color;
  ctx.stroke();
  ctx.strokeStyle = positive ? '#ffffff' : '#ff5c5c';
  ctx.lineWidth = 1.6;
  ctx.beginPath();
  ctx.moveTo(s.x - r / 2, s.y);
  ctx.lineTo(s.x + r / 2, s.y);
  if (positive) {
    ctx.moveTo(s.x, s.y - r / 2);
    ctx.lineTo(s.x, s.y + r / 2);
  }
  ctx.stroke();
}

/** The prompt point within `radius` CSS px of a screen position, if any (to remove it). */
export function hitPoint(
  prompts: readonly ScenePrompts[],
  view: ViewTransform,
  screen: { x: number; y: number },
  radius = 8,
): { objectId: number; index: number } | null {
  for (const p of prompts) {
    for (let i = 0; i < p.prompts.points.length; i++) {
      const s = frameToScreen(view, p.prompts.points[i]!);
      if (Math.hypot(s.x - screen.x, s.y - screen.y) <= radius) return { objectId: p.objectId, index: i };
    }
  }
  return null;
}
