import { describe, expect, it } from 'vitest';
import { SessionState } from '../../sessions/state.ts';
import { seedObject } from './objects.ts';

function stateWith(ids: number[], nextObjectId = Math.max(0, ...ids) + 1): SessionState {
  const media = {
    kind: 'video' as const,
    width: 4,
    height: 4,
    fps: 24,
    frameCount: 2,
    durationSec: 0.1,
    hasAudio: false,
  };
  const state = new SessionState(media, { dir: 'frames', count: 2, width: 4, height: 4 });
  for (const id of ids) state.objects.set(id, { id, name: `Object ${id}`, color: '#ffffff' });
  state.nextObjectId = nextObjectId;
  return state;
}

describe('seed-003 obj_id', () => {
  it('absent: the first object by id, or a new one when there is none', () => {
    expect(seedObject(stateWith([3, 2]), undefined)).toBe(2);
    expect(seedObject(stateWith([]), undefined)).toBeUndefined();
  });

  it('an existing id selects it; the next free id creates it; any other id is NOT_FOUND naming the next one', () => {
    const state = stateWith([1, 2], 4);
    expect(seedObject(state, 2)).toBe(2);
    expect(seedObject(state, 4)).toBeUndefined();
    expect(() => seedObject(state, 3)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', details: { obj_id: 3, next_obj_id: 4 } }),
    );
  });
});
