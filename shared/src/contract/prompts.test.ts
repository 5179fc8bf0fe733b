import { describe, expect, it } from 'vitest';
import { RotoError } from './errors.ts';
import {
  assertPromptsInFrame,
  BoxSchema,
  findPromptOutsideFrame,
  PointSchema,
  PromptSetSchema,
} from './prompts.ts';

const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.error?.issues.map((i) => i.message) ?? [];

describe('prompt schemas', () => {
  it('accepts a click with fractional pixel coordinates', () => {
    expect(PointSchema.parse({ x: 10.5, y: 3, label: 1 })).toEqual({ x: 10.5, y: 3, label: 1 });
  });

  it('rejects NaN and Infinity with a clear message', () => {
    expect(messages(PointSchema.safeParse({ x: Number.NaN, y: 0, label: 0 }))).toEqual([
      'x must be a finite number, got NaN',
    ]);
    expect(messages(PointSchema.safeParse({ x: 0, y: -Infinity, label: 0 }))).toEqual([
      'y must be a finite number, got -Infinity',
    ]);
    expect(messages(PointSchema.safeParse({ x: '1', label: 0 }))).toEqual([
      'x must be a number',
      'y is required',
    ]);
  });

  it('accepts only labels 0 and 1', () => {
    expect(messages(PointSchema.safeParse({ x: 0, y: 0, label: 2 }))).toEqual([
      'label must be 0 (background) or 1 (foreground)',
    ]);
  });

  it('requires x0 < x1 and y0 < y1 in a box', () => {
    expect(BoxSchema.parse({ x0: 1, y0: 2, x1: 3, y1: 4 })).toEqual({ x0: 1, y0: 2, x1: 3, y1: 4 });
    expect(messages(BoxSchema.safeParse({ x0: 5, y0: 2, x1: 5, y1: 1 }))).toEqual([
      'box x1 (5) must be greater than x0 (5)',
      'box y1 (1) must be greater than y0 (2)',
    ]);
  });

  it('requires at least one point or a box, and at most 64 points', () => {
    expect(messages(PromptSetSchema.safeParse({}))).toEqual([
      'a prompt set needs at least one point or a box',
    ]);
    expect(messages(PromptSetSchema.safeParse({ points: [] }))).toEqual([
      'a prompt set needs at least one point or a box',
    ]);
    expect(PromptSetSchema.parse({ box: { x0: 0, y0: 0, x1: 1, y1: 1 } })).toEqual({
      points: [],
      box: { x0: 0, y0: 0, x1: 1, y1: 1 },
    });
    const point = { x: 1, y: 1, label: 1 };
    expect(PromptSetSchema.safeParse({ points: new Array(64).fill(point) }).success).toBe(true);
    expect(messages(PromptSetSchema.safeParse({ points: new Array(65).fill(point) }))).toEqual([
      'at most 64 points per prompt set',
    ]);
  });
});

describe('prompts inside the frame', () => {
  it('accepts points and boxes inside the frame, edges included', () => {
    expect(
      findPromptOutsideFrame(
        {
          points: [
            { x: 0, y: 0, label: 1 },
            { x: 1280, y: 720, label: 0 },
          ],
          box: { x0: 0, y0: 0, x1: 1280, y1: 720 },
        },
        1280,
        720,
      ),
    ).toBeNull();
  });

  it('names the offending point in an INVALID_INPUT error', () => {
    const prompts = {
      points: [
        { x: 5, y: 5, label: 1 as const },
        { x: 1300.5, y: 20, label: 0 as const },
      ],
    };
    expect(() => assertPromptsInFrame(prompts, 1280, 720)).toThrow(RotoError);
    const err = findPromptOutsideFrame(prompts, 1280, 720);
    expect(err?.code).toBe('INVALID_INPUT');
    expect(err?.message).toBe('points[1] (x=1300.5, y=20) lies outside the 1280×720 frame');
    expect(err?.details).toEqual({ path: 'points[1]', frame: { width: 1280, height: 720 } });
  });

  it('names a box that sticks out of the frame', () => {
    const err = findPromptOutsideFrame({ box: { x0: -1, y0: 0, x1: 10, y1: 10 } }, 64, 48);
    expect(err?.message).toBe('box (x0=-1, y0=0, x1=10, y1=10) lies outside the 64×48 frame');
  });
});
