import { describe, expect, it } from 'vitest';
import { packBinary } from '../contract/binary-pack.ts';
import type { DurableFact, JoinAck } from '../contract/events.ts';
import { FactSequencer } from './fact-sequencer.ts';

function fact(seq: number, objectId: number): DurableFact {
  return { type: 'object:deleted', seq, objectId };
}

function ack(seq: number, catchUp: DurableFact[] | 'reset'): JoinAck {
  return {
    participantId: 'p',
    role: 'editor',
    snapshot: {
      sessionId: 's',
      media: { kind: 'image', width: 1, height: 1, fps: 0, frameCount: 1, durationSec: 0, hasAudio: false },
      objects: [],
      prompts: [],
      masks: [],
      participants: [],
      jobs: [],
      seq,
    },
    catchUp: catchUp === 'reset' ? { status: 'reset' } : { status: 'ok', facts: packBinary(catchUp) },
  };
}

function sequencer() {
  const out: string[] = [];
  const s = new FactSequencer((f) => out.push(`${f.seq}:${(f as { objectId: number }).objectId}`));
  const join = (a: JoinAck) => {
    const sent = s.resumeFrom();
    s.beginJoin();
    const kind = s.kindOf(a, sent);
    s.completeJoin(a, kind);
    return { sent, kind };
  };
  return { s, out, join };
}

describe('FactSequencer', () => {
  it('R13: starts from the snapshot, delivers later facts and the siblings of a record, drops repeats', () => {
    const { s, out, join } = sequencer();
    expect(join(ack(4, 'reset'))).toEqual({ sent: undefined, kind: 'initial' });
    for (const f of [fact(3, 1), fact(4, 1), fact(5, 1), fact(5, 2), fact(5, 1), fact(6, 1), fact(5, 3)])
      s.live(f);
    expect(out).toEqual(['5:1', '5:2', '5:1', '6:1']);
    expect(s.lastSeq).toBe(6);
  });

  it('R13: facts that arrive while a join is in flight wait for its catch-up, and overlaps are dropped', () => {
    const { s, out, join } = sequencer();
    join(ack(2, 'reset'));
    s.live(fact(3, 1));
    s.beginJoin();
    s.live(fact(6, 1));
    s.live(fact(5, 1));
    const a = ack(5, [fact(4, 1), fact(5, 1)]);
    s.completeJoin(a, s.kindOf(a, 3));
    expect(out).toEqual(['3:1', '4:1', '5:1', '6:1']);
  });

  it('R13: a connection lost in the middle of a record resumes that record without repeating its first facts', () => {
    const { s, out, join } = sequencer();
    join(ack(1, 'reset'));
    s.live(fact(2, 1));
    s.live(fact(2, 2)); // the third fact of record 2 was lost with the connection
    s.abortJoin();
    const res = join(ack(3, [fact(2, 1), fact(2, 2), fact(2, 3), fact(3, 1)]));
    expect(res).toEqual({ sent: 1, kind: 'resumed' });
    expect(out).toEqual(['2:1', '2:2', '2:3', '3:1']);
    expect(s.resumeFrom()).toBe(3);
  });

  it('a reset join starts over from its snapshot', () => {
    const { s, out, join } = sequencer();
    join(ack(1, 'reset'));
    s.live(fact(2, 1));
    expect(join(ack(9, 'reset')).kind).toBe('reset');
    s.live(fact(9, 1));
    s.live(fact(10, 1));
    expect(out).toEqual(['2:1', '10:1']);
  });
});
