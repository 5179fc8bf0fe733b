import type { SessionSnapshot } from '@roto/shared';
import { encodeMask } from '@roto/shared/masks';
import { describe, expect, it } from 'vitest';
import {
  applyFact,
  applyFetched,
  applyVolatile,
  fromSnapshot,
  key,
  rebaseOnSnapshot,
} from './session-doc.ts';

const media = {
  kind: 'video' as const,
  width: 4,
  height: 2,
  fps: 24,
  frameCount: 10,
  durationSec: 10 / 24,
  hasAudio: false,
};
const bytes = (fg: number) => encodeMask(new Uint8Array(8).fill(1, 0, fg), 4, 2);

function snapshot(over: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return {
    sessionId: 's1',
    media,
    objects: [],
    prompts: [],
    masks: [],
    participants: [],
    jobs: [],
    seq: 0,
    ...over,
  };
}

const object = { id: 1, name: 'Disc', color: '#e6194b' };
const mask = (seq: number, frame: number, version: number, fg = 3) => ({
  type: 'mask:updated' as const,
  seq,
  objectId: 1,
  frame,
  version,
  mask: bytes(fg),
  present: true,
  source: 'propagation' as const,
});

describe('session document', () => {
  it('applies the facts of one command (same seq) together and ignores older ones (R13)', () => {
    const doc = fromSnapshot(snapshot({ seq: 4 }));
    expect(applyFact(doc, { type: 'object:created', seq: 5, object })).toBe(true);
    expect(applyFact(doc, mask(5, 0, 1))).toBe(true);
    expect(doc.masks.get(key(1, 0))?.bytes).toEqual(bytes(3));
    expect(applyFact(doc, mask(3, 0, 1, 8))).toBe(false);
    expect(doc.masks.get(key(1, 0))?.bytes).toEqual(bytes(3));
    expect(doc.seq).toBe(5);
  });

  it('marks masks stale and removes them, and deleting an object drops its masks and prompts', () => {
    const doc = fromSnapshot(snapshot({ objects: [object] }));
    for (let f = 0; f < 5; f++) applyFact(doc, mask(1 + f, f, 1));
    applyFact(doc, {
      type: 'prompts:updated',
      seq: 6,
      objectId: 1,
      frame: 0,
      prompts: { points: [{ x: 1, y: 1, label: 1 }] },
    });
    applyFact(doc, { type: 'masks:stale', seq: 7, objectId: 1, frames: [3, 4] });
    expect([...doc.masks.values()].filter((m) => m.stale).map((m) => m.frame)).toEqual([3, 4]);
    applyFact(doc, { type: 'masks:removed', seq: 8, objectId: 1, frames: [4] });
    expect(doc.masks.has(key(1, 4))).toBe(false);
    applyFact(doc, { type: 'object:deleted', seq: 9, objectId: 1 });
    expect(doc.objects).toEqual([]);
    expect(doc.masks.size).toBe(0);
    expect(doc.prompts.size).toBe(0);
  });

  it('tracks a job from start to its outcome and drops progress reports that arrive late', () => {
    const doc = fromSnapshot(snapshot());
    const job = {
      jobId: 'j1',
      kind: 'propagation' as const,
      direction: 'forward' as const,
      objectIds: [1],
      range: { from: 0, to: 9 },
      startedBy: 'Ada',
    };
    applyFact(doc, { type: 'job:started', seq: 1, job, total: 9 });
    applyVolatile(doc, {
      type: 'job:progressed',
      jobId: 'j1',
      progress: { done: 5, total: 9, fps: 3, etaSec: 1.3, counter: 5 },
    });
    applyVolatile(doc, {
      type: 'job:progressed',
      jobId: 'j1',
      progress: { done: 2, total: 9, fps: 3, etaSec: 2.3, counter: 2 },
    });
    expect(doc.jobs.get('j1')?.progress.done).toBe(5);
    applyFact(doc, { type: 'job:cancelled', seq: 2, jobId: 'j1', done: 5, reason: 'cancelled by Ada' });
    expect(doc.jobs.size).toBe(0);
    expect(doc.lastOutcome).toMatchObject({
      kind: 'cancelled',
      message: 'Propagation cancelled after 5 masks: cancelled by Ada.',
    });
  });

  it('keeps the bytes of unchanged masks when a rejoin resets to a new snapshot, and takes fetched bytes only for the indexed version', () => {
    const doc = fromSnapshot(snapshot({ objects: [object] }));
    applyFact(doc, mask(1, 0, 1));
    applyFact(doc, mask(2, 1, 1));
    const entry = (frame: number, version: number) => ({
      objectId: 1,
      frame,
      version,
      present: true,
      source: 'propagation' as const,
      stale: false,
    });
    const next = rebaseOnSnapshot(
      doc,
      snapshot({ objects: [object], seq: 9, masks: [entry(0, 1), entry(1, 2)] }),
    );
    expect(next.masks.get(key(1, 0))?.bytes).toEqual(bytes(3));
    expect(next.masks.get(key(1, 1))?.bytes).toBeUndefined();
    applyFetched(next, [{ ...entry(1, 1), mask: bytes(1) }]);
    expect(next.masks.get(key(1, 1))?.bytes).toBeUndefined();
    applyFetched(next, [{ ...entry(1, 2), mask: bytes(5) }]);
    expect(next.masks.get(key(1, 1))?.bytes).toEqual(bytes(5));
  });

  it('merges presence updates and forgets participants who leave', () => {
    const doc = fromSnapshot(snapshot());
    const p = { participantId: 'p1', user: { name: 'Ada' }, role: 'editor' as const, presence: { frame: 3 } };
    applyVolatile(doc, { type: 'participant:joined', participant: p });
    applyVolatile(doc, {
      type: 'presence:updated',
      participantId: 'p1',
      presence: { cursor: { x: 1, y: 2 } },
    });
    expect(doc.participants.get('p1')?.presence).toEqual({ frame: 3, cursor: { x: 1, y: 2 } });
    applyVolatile(doc, { type: 'participant:left', participantId: 'p1' });
    expect(doc.participants.size).toBe(0);
  });
});
