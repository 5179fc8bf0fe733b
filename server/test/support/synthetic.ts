/**
 * Deterministic synthetic videos with exact ground truth: saturated shapes (a disc, a rectangle,
 * a triangle, optionally a look-alike square) moving over a muted textured background. Every
 * frame is rendered from a seeded PRNG and closed-form paths, so the same options always give
 * the same pixels and the same masks.
 */
import type { RgbImage } from '../../src/inference/engine.ts';

export type Rgb = readonly [number, number, number];
export type Background = 'noise' | 'stripes' | 'checkers';

/** How to build a scene. Every field has a default; the defaults give three separate shapes. */
export interface SceneOptions {
  /** PRNG seed for the background texture (default 1). */
  seed?: number;
  width?: number;
  height?: number;
  /** Number of frames (default 48, at least 1). */
  frames?: number;
  fps?: number;
  background?: Background;
  /** The rectangle passes in front of the disc around the middle of the clip. */
  occlusion?: boolean;
  /** The triangle leaves through the right edge, stays out for several frames and comes back. */
  exitAndReturn?: boolean;
  /** Adds a square of nearly the disc's colour touching the disc (for negative-click tests). */
  lookalike?: boolean;
  /** Adds a second disc of exactly the disc's colour, apart from it (a click must not take both). */
  twin?: boolean;
}

/** One object of a scene: its visible pixels on every frame (occluded parts excluded). */
export interface SceneObject {
  id: number;
  name: string;
  color: Rgb;
  /** Per frame, width × height, 1 where the object is the visible surface, else 0. */
  masks: Uint8Array[];
}

export interface Scene {
  width: number;
  height: number;
  fps: number;
  frames: RgbImage[];
  objects: SceneObject[];
}

/** Object ids used by `makeScene`, stable across options. */
export const SCENE_IDS = { disc: 1, rectangle: 2, triangle: 3, lookalike: 4, twin: 5 } as const;

interface Shape {
  id: number;
  name: string;
  color: Rgb;
  /** Painter's order: higher is drawn later (in front). */
  z: number;
  /** Whether pixel centre (x, y) is inside the shape on frame t. */
  contains(t: number): (x: number, y: number) => boolean;
}

/** mulberry32: tiny, fast, good enough for textures. Returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function disc(cx: (t: number) => number, cy: (t: number) => number, r: number) {
  return (t: number) => {
    const x0 = cx(t);
    const y0 = cy(t);
    return (x: number, y: number) => (x - x0) ** 2 + (y - y0) ** 2 <= r * r;
  };
}

function rect(cx: (t: number) => number, cy: (t: number) => number, w: number, h: number) {
  return (t: number) => {
    const x0 = cx(t) - w / 2;
    const y0 = cy(t) - h / 2;
    return (x: number, y: number) => x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
  };
}

/** An upward isosceles triangle with base `w` and height `h`, centred on (cx, cy). */
function triangle(cx: (t: number) => number, cy: (t: number) => number, w: number, h: number) {
  return (t: number) => {
    const x0 = cx(t);
    const top = cy(t) - h / 2;
    return (x: number, y: number) => {
      const dy = y - top;
      return dy >= 0 && dy <= h && Math.abs(x - x0) <= (dy / h) * (w / 2);
    };
  };
}

function shapes(o: Required<SceneOptions>): Shape[] {
  const { width: W, height: H, frames: n } = o;
  const sx = W / 320;
  const sy = H / 240;
  const list: Shape[] = [];
  // Disc: drifts right with a gentle vertical wave.
  const discX = (t: number) => (70 + 2.2 * t) * sx;
  const discY = (t: number) => (110 + 25 * Math.sin(t / 8)) * sy;
  const r = 26 * Math.min(sx, sy);
  list.push({
    id: SCENE_IDS.disc,
    name: 'red disc',
    color: [220, 40, 40],
    z: 1,
    contains: disc(discX, discY, r),
  });
  // Rectangle: either moves left across the disc's path (occlusion) or stays in the lower left.
  const rectX = o.occlusion
    ? (t: number) => (250 - (180 * t) / Math.max(n - 1, 1)) * sx
    : (t: number) => (60 + 1.2 * t) * sx;
  const rectY = o.occlusion ? (t: number) => discY(t) + 4 * sy : (t: number) => (195 - 0.4 * t) * sy;
  list.push({
    id: SCENE_IDS.rectangle,
    name: 'blue rectangle',
    color: [40, 80, 220],
    z: 2,
    contains: rect(rectX, rectY, 64 * sx, 40 * sy),
  });
  // Triangle: rightmost shape. With exitAndReturn it moves right at constant speed until it is
  // past the edge, turns around at frame `half` and comes back. The speed adapts to the clip
  // length but stays within 4–8 px per frame (at 320 px width), so that short and long clips
  // both have frames out of view and motion a tracker can follow.
  const half = Math.max((n - 6) / 2, 1);
  const speed = Math.min(8, Math.max(4, 75 / Math.max(half - 4, 1)));
  const triX = o.exitAndReturn
    ? (t: number) => (290 + speed * (t <= 2 * half ? half - Math.abs(t - half) : 2 * half - t)) * sx
    : (t: number) => (250 - 0.8 * t) * sx;
  const triY = (t: number) => (175 - 0.6 * t) * sy;
  list.push({
    id: SCENE_IDS.triangle,
    name: 'green triangle',
    color: [40, 200, 70],
    z: 0,
    contains: triangle(triX, triY, 56 * sx, 48 * sy),
  });
  if (o.lookalike) {
    // A square of almost the disc's colour, touching its right side and moving with it.
    list.push({
      id: SCENE_IDS.lookalike,
      name: 'red square',
      color: [204, 48, 54],
      z: 1,
      contains: rect((t) => discX(t) + r + 20 * sx, discY, 40 * sx, 40 * sy),
    });
  }
  if (o.twin) {
    list.push({
      id: SCENE_IDS.twin,
      name: 'red disc (twin)',
      color: [220, 40, 40],
      z: 1,
      contains: disc(
        (t) => (262 - 0.5 * t) * sx,
        () => 42 * sy,
        20 * Math.min(sx, sy),
      ),
    });
  }
  return list;
}

/** A muted texture, far in colour from every object. */
function paintBackground(o: Required<SceneOptions>): Uint8Array {
  const { width: W, height: H } = o;
  const rnd = prng(o.seed);
  const out = new Uint8Array(W * H * 3);
  // Coarse value noise (8 px cells, bilinear) plus fine grain.
  const cw = Math.ceil(W / 8) + 2;
  const ch = Math.ceil(H / 8) + 2;
  const coarse = Float32Array.from({ length: cw * ch }, () => rnd() * 2 - 1);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const gx = x / 8;
      const gy = y / 8;
      const ix = Math.floor(gx);
      const iy = Math.floor(gy);
      const fx = gx - ix;
      const fy = gy - iy;
      const at = (i: number, j: number) => coarse[j * cw + i] ?? 0;
      const v =
        at(ix, iy) * (1 - fx) * (1 - fy) +
        at(ix + 1, iy) * fx * (1 - fy) +
        at(ix, iy + 1) * (1 - fx) * fy +
        at(ix + 1, iy + 1) * fx * fy;
      let base: Rgb;
      if (o.background === 'stripes') base = Math.floor((x + y) / 12) % 2 ? [112, 118, 108] : [138, 132, 120];
      else if (o.background === 'checkers')
        base = (Math.floor(x / 20) + Math.floor(y / 20)) % 2 ? [105, 110, 118] : [135, 130, 125];
      else base = [125, 120, 110];
      const amp = o.background === 'noise' ? 18 : 6;
      const grain = (rnd() - 0.5) * 6;
      for (let c = 0; c < 3; c++) {
        out[(y * W + x) * 3 + c] = clampByte((base[c] ?? 0) + v * amp + grain);
      }
    }
  }
  return out;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/**
 * Renders a scene. Defaults: 320×240, 48 frames at 24 fps, noise background, disc + rectangle +
 * triangle all visible and apart. Same options → identical frames and masks.
 */
export function makeScene(opts: SceneOptions = {}): Scene {
  const o: Required<SceneOptions> = {
    seed: opts.seed ?? 1,
    width: opts.width ?? 320,
    height: opts.height ?? 240,
    frames: Math.max(1, opts.frames ?? 48),
    fps: opts.fps ?? 24,
    background: opts.background ?? 'noise',
    occlusion: opts.occlusion ?? false,
    exitAndReturn: opts.exitAndReturn ?? false,
    lookalike: opts.lookalike ?? false,
    twin: opts.twin ?? false,
  };
  const { width: W, height: H } = o;
  const bg = paintBackground(o);
  const list = shapes(o).sort((a, b) => a.z - b.z || a.id - b.id);
  const objects: SceneObject[] = list.map((s) => ({ id: s.id, name: s.name, color: s.color, masks: [] }));
  const frames: RgbImage[] = [];
  const owner = new Int16Array(W * H);
  for (let t = 0; t < o.frames; t++) {
    const data = new Uint8Array(bg);
    owner.fill(-1);
    list.forEach((s, k) => {
      const inside = s.contains(t);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          if (inside(x + 0.5, y + 0.5)) owner[y * W + x] = k;
        }
      }
    });
    const masks = list.map(() => new Uint8Array(W * H));
    for (let p = 0; p < W * H; p++) {
      const k = owner[p] ?? -1;
      const shape = list[k];
      const mask = masks[k];
      if (!shape || !mask) continue;
      mask[p] = 1;
      data[p * 3] = shape.color[0];
      data[p * 3 + 1] = shape.color[1];
      data[p * 3 + 2] = shape.color[2];
    }
    frames.push({ data, width: W, height: H });
    for (const [k, m] of masks.entries()) objects[k]?.masks.push(m);
  }
  objects.sort((a, b) => a.id - b.id);
  return { width: W, height: H, fps: o.fps, frames, objects };
}

/** The object with `id`, or an error naming the ids that exist. */
export function sceneObject(scene: Scene, id: number): SceneObject {
  const obj = scene.objects.find((o) => o.id === id);
  if (!obj) throw new Error(`scene has no object ${id} (has ${scene.objects.map((o) => o.id).join(', ')})`);
  return obj;
}

/** Intersection over union of two 0/1 masks of equal size; two empty masks count as 1. */
export function maskIoU(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`mask sizes differ: ${a.length} vs ${b.length}`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    inter += x & y;
    union += x | y;
  }
  return union === 0 ? 1 : inter / union;
}

/** A click target on the mask: its centroid when that lies inside, else the mask pixel nearest to it. */
export function interiorPoint(mask: Uint8Array, width: number): { x: number; y: number } {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    sx += i % width;
    sy += Math.floor(i / width);
    n++;
  }
  if (n === 0) throw new Error('mask is empty');
  const cx = Math.round(sx / n);
  const cy = Math.round(sy / n);
  if (mask[cy * width + cx]) return { x: cx, y: cy };
  // Non-convex masks: fall back to the mask pixel nearest the centroid.
  let best = { x: cx, y: cy };
  let bestD = Number.POSITIVE_INFINITY;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const x = i % width;
    const y = Math.floor(i / width);
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    if (d < bestD) {
      bestD = d;
      best = { x, y };
    }
  }
  return best;
}
