import { z } from 'zod';
import { RotoError } from './errors.ts';

/** The most points one prompt set may hold (SAM2 degrades well before this; it bounds the work per click). */
export const MAX_PROMPT_POINTS = 64;

/** A finite number with a message that says so (NaN and ±Infinity are rejected). */
function finite(name: string) {
  return z.number({
    error: (issue) => {
      if (issue.input === undefined) return `${name} is required`;
      if (typeof issue.input === 'number') return `${name} must be a finite number, got ${issue.input}`;
      return `${name} must be a number`;
    },
  });
}

/** 1 marks the object (foreground click), 0 marks what is not the object (background click). */
export const PointLabelSchema = z.union([z.literal(0), z.literal(1)], {
  error: 'label must be 0 (background) or 1 (foreground)',
});

/** A click label: 1 foreground, 0 background. */
export type PointLabel = z.infer<typeof PointLabelSchema>;

/** A click in frame pixels (origin top-left, x to the right, y down; fractional values allowed). */
export const PointSchema = z.object({
  x: finite('x'),
  y: finite('y'),
  label: PointLabelSchema,
});

/** A click in frame pixels. */
export type Point = z.infer<typeof PointSchema>;

/** A box in frame pixels: (x0, y0) top-left corner, (x1, y1) bottom-right corner. */
export const BoxSchema = z
  .object({ x0: finite('x0'), y0: finite('y0'), x1: finite('x1'), y1: finite('y1') })
  .check((ctx) => {
    const b = ctx.value;
    if (!(b.x0 < b.x1)) {
      ctx.issues.push({
        code: 'custom',
        input: b,
        path: ['x1'],
        message: `box x1 (${b.x1}) must be greater than x0 (${b.x0})`,
      });
    }
    if (!(b.y0 < b.y1)) {
      ctx.issues.push({
        code: 'custom',
        input: b,
        path: ['y1'],
        message: `box y1 (${b.y1}) must be greater than y0 (${b.y0})`,
      });
    }
  });

/** A box in frame pixels. */
export type Box = z.infer<typeof BoxSchema>;

/**
 * The prompts for one object on one frame: clicks and/or a box. At least one of them is required;
 * `points` may be omitted when a box is given.
 */
export const PromptSetSchema = z
  .object({
    points: z
      .array(PointSchema)
      .max(MAX_PROMPT_POINTS, { error: `at most ${MAX_PROMPT_POINTS} points per prompt set` })
      .default([]),
    box: BoxSchema.optional(),
  })
  .refine((p) => p.points.length > 0 || p.box !== undefined, {
    error: 'a prompt set needs at least one point or a box',
  });

/** A validated prompt set (`points` always present, possibly empty when a box is given). */
export type PromptSet = z.output<typeof PromptSetSchema>;

/** What a caller may send as a prompt set (`points` optional). */
export type PromptSetInput = z.input<typeof PromptSetSchema>;

/** Where a prompt lies outside its frame (the `details` of the INVALID_INPUT error). */
export interface PromptOutsideFrame {
  /** `points[3]` or `box`. */
  path: string;
  frame: { width: number; height: number };
}

/**
 * Returns the INVALID_INPUT error for the first point or box that lies outside a `width × height`
 * frame, or `null` when all lie inside. Edges are inclusive: x ∈ [0, width], y ∈ [0, height], so a
 * click scaled onto the right or bottom border, or a box covering the whole frame, is accepted.
 */
export function findPromptOutsideFrame(
  prompts: { points?: readonly Point[]; box?: Box | undefined },
  width: number,
  height: number,
): RotoError | null {
  const frame = { width, height };
  const inside = (x: number, y: number) => x >= 0 && x <= width && y >= 0 && y <= height;
  const points = prompts.points ?? [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (!inside(p.x, p.y)) {
      const details: PromptOutsideFrame = { path: `points[${i}]`, frame };
      return new RotoError(
        'INVALID_INPUT',
        `points[${i}] (x=${p.x}, y=${p.y}) lies outside the ${width}×${height} frame`,
        details,
      );
    }
  }
  const b = prompts.box;
  if (b !== undefined && !(inside(b.x0, b.y0) && inside(b.x1, b.y1))) {
    const details: PromptOutsideFrame = { path: 'box', frame };
    return new RotoError(
      'INVALID_INPUT',
      `box (x0=${b.x0}, y0=${b.y0}, x1=${b.x1}, y1=${b.y1}) lies outside the ${width}×${height} frame`,
      details,
    );
  }
  return null;
}

/** Throws the INVALID_INPUT error of `findPromptOutsideFrame` when a point or the box lies outside the frame. */
export function assertPromptsInFrame(
  prompts: { points?: readonly Point[]; box?: Box | undefined },
  width: number,
  height: number,
): void {
  const err = findPromptOutsideFrame(prompts, width, height);
  if (err !== null) throw err;
}
