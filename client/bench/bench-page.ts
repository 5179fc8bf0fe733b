/**
 * Runs inside headless Chromium (see run.ts): the editor's own drawing code on a 1280×720 view
 * with 5 objects. Measures (1) a mask fact → drawn: decode the new mask's runs, repaint the
 * overlay, draw frame + overlay, flush; (2) scrubbing 100 frames with masks. Baselines: the same
 * draw without masks, and a naive path (shared `decodeMask` to bytes, then a per-pixel colour loop).
 */
import { decodeMask, encodeMask } from '@roto/shared/masks';
import { drawScene, type Scene } from '../src/features/editor/draw-scene.ts';
import { MaskOverlay } from '../src/features/editor/mask-overlay.ts';
import { parseHexColor } from '../src/features/editor/mask-paint.ts';

const W = 1280;
const H = 720;
const OBJECTS = 5;
const FRAMES = 100;
const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#42d4f4'];

/**
 * Object k on frame t: an ellipse moving across the frame with ragged edges and a few holes, so
 * its RM size (a few KB) is in the range real SAM2 masks have at 720p.
 */
function ellipseMask(k: number, t: number): Uint8Array {
  const m = new Uint8Array(W * H);
  const cx = 150 + k * 220 + t * 3;
  const cy = 200 + k * 90 + Math.sin(t / 10) * 40;
  const rx = 90 + k * 15;
  const ry = 70 + k * 10;
  for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(H, cy + ry); y++) {
    const dy = (y - cy) / ry;
    const half = rx * Math.sqrt(Math.max(0, 1 - dy * dy));
    const jitter = ((y * 7919 + t * 31 + k * 101) % 7) - 3;
    const x0 = Math.max(0, Math.round(cx - half + jitter));
    const x1 = Math.min(W, Math.round(cx + half - jitter));
    if (x1 <= x0) continue;
    m.fill(1, y * W + x0, y * W + x1);
    // Holes and islands every few rows, as thin structures and noise leave in real masks.
    if (y % 3 === 0) for (let x = x0 + 6; x < x1 - 6; x += 23) m.fill(0, y * W + x, y * W + x + 2);
  }
  return m;
}

async function makeFrame(t: number): Promise<ImageBitmap> {
  const c = new OffscreenCanvas(W, H);
  const ctx = c.getContext('2d')!;
  const g = ctx.createLinearGradient(0, 0, W, H);
  g.addColorStop(0, `hsl(${(t * 7) % 360} 30% 40%)`);
  g.addColorStop(1, '#222');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, W, H);
  return createImageBitmap(c);
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p95: q(0.95), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
}

async function run() {
  const view = document.getElementById('view') as HTMLCanvasElement;
  view.width = W;
  view.height = H;
  const ctx = view.getContext('2d')!;
  const flush = () => ctx.getImageData(0, 0, 1, 1); // forces the draw to complete
  // Masks as they arrive on the wire: fresh RM byte arrays per (object, frame).
  const wire: Uint8Array[][] = [];
  for (let t = 0; t < FRAMES; t++) wire.push(COLORS.map((_, k) => encodeMask(ellipseMask(k, t), W, H)));
  const frames: ImageBitmap[] = [];
  for (let t = 0; t < 10; t++) frames.push(await makeFrame(t));
  const overlay = new MaskOverlay(W, H);
  const scene = (t: number, withMasks: boolean): Scene => ({
    frame: frames[t % frames.length]!,
    frameW: W,
    frameH: H,
    overlay: withMasks ? overlay : null,
    opacity: 0.5,
    view: { scale: 1, tx: 0, ty: 0 },
    prompts: [],
    pending: [],
    dragBox: null,
    cursors: [],
  });

  // Warm up the JIT and the canvas.
  for (let t = 0; t < 10; t++) {
    overlay.update(
      `w${t}`,
      wire[t]!.map((bytes, k) => ({ bytes, color: COLORS[k]! })),
      'fill',
    );
    drawScene(ctx, scene(t, true), W, H, 1);
    flush();
  }

  // (1) A mask fact arrives for one object on the frame being viewed: 4 masks cached, 1 new.
  const factToDrawn: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = i % FRAMES;
    const layers = wire[t]!.map((bytes, k) => ({
      bytes: k === i % OBJECTS ? bytes.slice() : bytes,
      color: COLORS[k]!,
    }));
    const t0 = performance.now();
    overlay.update(`f${i}`, layers, 'fill');
    drawScene(ctx, scene(t, true), W, H, 1);
    flush();
    factToDrawn.push(performance.now() - t0);
    const t1 = performance.now();
    drawScene(ctx, scene(t, false), W, H, 1);
    flush();
    bare.push(performance.now() - t1);
  }

  // Cold: all 5 masks new (a frame whose masks were never drawn).
  const cold: number[] = [];
  for (let i = 0; i < 100; i++) {
    const layers = wire[i % FRAMES]!.map((bytes, k) => ({ bytes: bytes.slice(), color: COLORS[k]! }));
    const t0 = performance.now();
    overlay.update(`c${i}`, layers, 'fill');
    drawScene(ctx, scene(i, true), W, H, 1);
    flush();
    cold.push(performance.now() - t0);
  }

  // Naive baseline: decode each mask to one byte per pixel, colour per pixel, put, draw.
  const naive: number[] = [];
  const img = ctx.createImageData(W, H);
  const off = new OffscreenCanvas(W, H);
  const offCtx = off.getContext('2d')!;
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    img.data.fill(0);
    for (let k = 0; k < OBJECTS; k++) {
      const { mask } = decodeMask(wire[i % FRAMES]![k]!);
      const [r, g, b] = parseHexColor(COLORS[k]!);
      for (let p = 0; p < mask.length; p++) {
        if (mask[p]) {
          img.data[p * 4] = r;
          img.data[p * 4 + 1] = g;
          img.data[p * 4 + 2] = b;
          img.data[p * 4 + 3] = 255;
        }
      }
    }
    offCtx.putImageData(img, 0, 0);
    drawScene(ctx, scene(i, false), W, H, 1);
    ctx.drawImage(off, 0, 0);
    flush();
    naive.push(performance.now() - t0);
  }

  // (2) Scrubbing: 100 consecutive frames, each with 5 masks decoded for the first time.
  const scrub = (withMasks: boolean) => {
    const t0 = performance.now();
    for (let t = 0; t < FRAMES; t++) {
      if (withMasks)
        overlay.update(
          `s${t}:${Math.random()}`,
          wire[t]!.map((bytes, k) => ({ bytes: bytes.slice(), color: COLORS[k]! })),
          'fill',
        );
      drawScene(ctx, scene(t, withMasks), W, H, 1);
      flush();
    }
    return FRAMES / ((performance.now() - t0) / 1000);
  };
  const scrubMasks = [scrub(true), scrub(true), scrub(true)];
  const scrubBare = [scrub(false), scrub(false), scrub(false)];
  const outline: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    overlay.update(
      `o${i}`,
      wire[i]!.map((bytes, k) => ({ bytes: bytes.slice(), color: COLORS[k]! })),
      'outline',
    );
    drawScene(ctx, scene(i, true), W, H, 1);
    flush();
    outline.push(performance.now() - t0);
  }
  const maskBytes = wire.flat().reduce((a, b) => a + b.byteLength, 0) / (FRAMES * OBJECTS);
  return {
    factToDrawn: stats(factToDrawn),
    coldFrame: stats(cold),
    bareDraw: stats(bare),
    naive: stats(naive),
    outline: stats(outline),
    scrubMasksFps: Math.max(...scrubMasks),
    scrubBareFps: Math.max(...scrubBare),
    avgMaskBytes: maskBytes,
  };
}

(window as unknown as { benchResult: Promise<unknown> }).benchResult = run();
