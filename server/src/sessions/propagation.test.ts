import { encodeMask } from '@roto/shared';
import { describe, expect, it } from 'vitest';
import { planPropagation } from './propagation.ts';
import { SessionState } from './state.ts';

const media = {
  kind: 'video' as const,
  width: 4,
  height: 2,
  fps: 10,
  frameCount: 10,
  durationSec: 1,
  hasAudio: false,
};
const mask = encodeMask(new Uint8Array(8), 4, 2);

function state(): SessionState {
  const s = new SessionState(media, { dir: 'frames', count: 10, width: 4, height: 2 });
  let seq = 0;
  s.apply({ type: 'object:created', seq: ++seq, object: { id: 1, name: 'a', color: '#000000' } });
  s.apply({ type: 'object:created', seq: ++seq, object: { id: 2, name: 'b', color: '#000000' } });
  return s;
}

function prompt(s: SessionState, objectId: number, frame: number) {
  s.apply({
    type: 'prompts:updated',
    seq: s.seq + 1,
    objectId,
    frame,
    prompts: { points: [{ x: 1, y: 1, label: 1 }] },
  });
  s.apply({
    type: 'mask:updated',
    seq: s.seq + 1,
    objectId,
    frame,
    version: 1,
    mask,
    present: true,
    source: 'prompt',
  });
}

function tracked(s: SessionState, objectId: number, frames: number[], direction: 'forward' | 'backward') {
  for (const frame of frames) {
    s.apply({
      type: 'mask:updated',
      seq: s.seq + 1,
      objectId,
      frame,
      version: 1,
      mask,
      present: true,
      source: 'propagation',
      direction,
    });
  }
}

const frames = (steps: ReturnType<typeof planPropagation>) => steps.map((x) => `${x.objectId}:${x.frame}`);

describe('planPropagation', () => {
  it('tracks forward from the first prompted frame, frame-major across objects, skipping prompted frames', () => {
    const s = state();
    prompt(s, 1, 2);
    prompt(s, 2, 3);
    const steps = planPropagation(s, [1, 2], 'forward', { from: 0, to: 5 });
    expect(frames(steps)).toEqual(['1:3', '1:4', '2:4', '1:5', '2:5']);
  });

  it('recomputes only from the first stale or missing frame on', () => {
    const s = state();
    prompt(s, 1, 0);
    tracked(s, 1, [1, 2, 3, 4, 5, 6, 7, 8, 9], 'forward');
    expect(planPropagation(s, [1], 'forward', { from: 0, to: 9 })).toEqual([]);
    prompt(s, 1, 5);
    s.apply({ type: 'masks:stale', seq: s.seq + 1, objectId: 1, frames: s.staleAfterPromptChange(1, 5) });
    expect(frames(planPropagation(s, [1], 'forward', { from: 0, to: 9 }))).toEqual([
      '1:6',
      '1:7',
      '1:8',
      '1:9',
    ]);
  });

  it('tracks backward from the last prompted frame; masks from the other direction count as missing', () => {
    const s = state();
    prompt(s, 1, 6);
    tracked(s, 1, [7, 8], 'forward');
    tracked(s, 1, [2, 3], 'forward');
    const steps = planPropagation(s, [1], 'both', { from: 0, to: 9 });
    expect(steps.map((x) => `${x.direction[0]}${x.frame}`)).toEqual([
      'f9',
      'b5',
      'b4',
      'b3',
      'b2',
      'b1',
      'b0',
    ]);
  });

  it('a correction marks stale the masks tracked towards and past it: forward after it, backward before it', () => {
    const s = state();
    prompt(s, 1, 4);
    tracked(s, 1, [5, 6], 'forward');
    tracked(s, 1, [2, 3], 'backward');
    expect(s.staleAfterPromptChange(1, 5)).toEqual([2, 3, 6]);
    expect(s.staleAfterPromptChange(1, 7)).toEqual([2, 3]);
    expect(s.staleAfterPromptChange(1, 3)).toEqual([2, 5, 6]);
  });
});
