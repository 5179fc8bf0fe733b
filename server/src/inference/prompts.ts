/**
 * Prompt validation and conversion to the decoder's point format (1024-space coordinates, a box
 * as two points labelled 2 and 3 placed before the clicks, like the official predictor).
 */
import type { Prompts } from './engine.ts';
import { invalidInput } from './errors.ts';

/** Most clicks accepted for one object on one frame. */
export const MAX_POINTS = 64;

/** Points ready for the prompt encoder: `coords` [n,2] in model-input space, `labels` [n]. */
export interface EncodedPoints {
  n: number;
  coords: Float32Array;
  labels: Int32Array;
}

function checkCoord(v: number, limit: number, what: string): void {
  if (!Number.isFinite(v)) throw invalidInput(`${what} is not a finite number (${v})`);
  if (v < 0 || v > limit) throw invalidInput(`${what} = ${v} is outside the frame (0…${limit})`);
}

/**
 * Checks prompts against the frame size and converts them. Throws INVALID_INPUT naming the
 * problem: no points and no box, more than 64 points, NaN/Infinity, a label other than 0/1, a
 * point or box corner outside the frame, an inverted box.
 */
export function encodePrompts(
  prompts: Prompts,
  width: number,
  height: number,
  inputSize: number,
): EncodedPoints {
  const points = prompts.points ?? [];
  if (!Array.isArray(points)) throw invalidInput('prompts.points must be an array');
  if (points.length === 0 && !prompts.box) throw invalidInput('Prompts need at least one point or a box');
  if (points.length > MAX_POINTS)
    throw invalidInput(`Too many points: ${points.length} (at most ${MAX_POINTS})`);
  points.forEach((p, i) => {
    checkCoord(p.x, width, `points[${i}].x`);
    checkCoord(p.y, height, `points[${i}].y`);
    if (p.label !== 0 && p.label !== 1)
      throw invalidInput(`points[${i}].label must be 0 (exclude) or 1 (include), got ${String(p.label)}`);
  });
  const box = prompts.box;
  if (box) {
    checkCoord(box.x0, width, 'box.x0');
    checkCoord(box.y0, height, 'box.y0');
    checkCoord(box.x1, width, 'box.x1');
    checkCoord(box.y1, height, 'box.y1');
    if (box.x1 < box.x0 || box.y1 < box.y0) throw invalidInput('box must have x0 ≤ x1 and y0 ≤ y1');
  }
  const n = points.length + (box ? 2 : 0);
  const coords = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  // The official predictor normalises in float32: (x / W) * 1024.
  const sx = (x: number) => Math.fround(Math.fround(x / width) * inputSize);
  const sy = (y: number) => Math.fround(Math.fround(y / height) * inputSize);
  let k = 0;
  if (box) {
    coords[0] = sx(box.x0);
    coords[1] = sy(box.y0);
    coords[2] = sx(box.x1);
    coords[3] = sy(box.y1);
    labels[0] = 2;
    labels[1] = 3;
    k = 2;
  }
  for (const p of points) {
    coords[k * 2] = sx(p.x);
    coords[k * 2 + 1] = sy(p.y);
    labels[k] = p.label;
    k++;
  }
  return { n, coords, labels };
}

/** The prompt of a tracked frame: one padding point (0,0) labelled −1. */
export const NO_POINTS: EncodedPoints = { n: 1, coords: new Float32Array(2), labels: new Int32Array([-1]) };
