import { encodeMask } from '@roto/shared';
import { describe, expect, it } from 'vitest';
import type { FactBody } from './records.ts';
import { withSeq } from './records.ts';
import { SessionState } from './state.ts';

const media = {
  kind: 'video' as const,
  width: 4,
  height: 2,
  fps: 10,
  frameCount: 3,
  durationSec: 0.3,
  hasAudio: false,
};
const maskA = encodeMask(new Uint8Array([1, 1, 0, 0, 0, 0, 0, 0]), 4, 2);

function applyAll(s: SessionState, facts: FactBody[]): void {
  for (const f of withSeq(facts, s.seq + 1)) s.apply(f);
}

function view(s: SessionState) {
  return {
    objects: [...s.objects.values()],
    prompts: s.promptList(),
    masks: s.fetchMasks(undefined, undefined, 100).masks.map(({ version: _v, ...m }) => m),
  };
}

describe('SessionState.inverse', () => {
  it('undoes a click that created an object: the object, its prompts and its mask go', () => {
    const s = new SessionState(media, { dir: 'f', count: 3, width: 4, height: 2 });
    const before = view(s);
    const facts: FactBody[] = [
      { type: 'object:created', object: { id: 1, name: 'a', color: '#000000' } },
      { type: 'prompts:updated', objectId: 1, frame: 0, prompts: { points: [{ x: 0, y: 0, label: 1 }] } },
      {
        type: 'mask:updated',
        objectId: 1,
        frame: 0,
        version: 1,
        mask: maskA,
        present: true,
        source: 'prompt',
      },
    ];
    const undo = s.inverse(facts);
    applyAll(s, facts);
    applyAll(s, undo);
    expect(view(s)).toEqual(before);
  });

  it('undoes a delete: object, prompts, masks and staleness come back', () => {
    const s = new SessionState(media, { dir: 'f', count: 3, width: 4, height: 2 });
    applyAll(s, [
      { type: 'object:created', object: { id: 1, name: 'a', color: '#000000' } },
      { type: 'prompts:updated', objectId: 1, frame: 0, prompts: { points: [{ x: 0, y: 0, label: 1 }] } },
      {
        type: 'mask:updated',
        objectId: 1,
        frame: 0,
        version: 1,
        mask: maskA,
        present: true,
        source: 'prompt',
      },
      {
        type: 'mask:updated',
        objectId: 1,
        frame: 1,
        version: 1,
        mask: maskA,
        present: false,
        source: 'propagation',
        direction: 'forward',
      },
      { type: 'masks:stale', objectId: 1, frames: [1] },
    ]);
    const before = view(s);
    const facts: FactBody[] = [{ type: 'object:deleted', objectId: 1 }];
    const undo = s.inverse(facts);
    applyAll(s, facts);
    expect(s.objects.size).toBe(0);
    expect(s.maskBytes).toBe(0);
    applyAll(s, undo);
    expect(view(s)).toEqual(before);
  });
});
