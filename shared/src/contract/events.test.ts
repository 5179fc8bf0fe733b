import { describe, expect, it } from 'vitest';
import { packBinary } from './binary-pack.ts';
import {
  type DurableFact,
  JoinCommandSchema,
  PromptAddCommandSchema,
  PropagationStartCommandSchema,
  unpackFacts,
  unpackMasks,
} from './events.ts';

describe('command schemas', () => {
  it('prompt:add needs a commandId and a point or a box', () => {
    expect(PromptAddCommandSchema.safeParse({ commandId: 'c', frame: 0 }).success).toBe(false);
    expect(PromptAddCommandSchema.safeParse({ frame: 0, points: [{ x: 1, y: 1, label: 1 }] }).success).toBe(
      false,
    );
    const ok = PromptAddCommandSchema.parse({
      commandId: 'c',
      frame: 2,
      box: { x0: 0, y0: 0, x1: 5, y1: 5 },
    });
    expect(ok.points).toEqual([]);
  });

  it('propagation:start defaults to forward and checks its range', () => {
    expect(PropagationStartCommandSchema.parse({ commandId: 'c' }).direction).toBe('forward');
    const bad = PropagationStartCommandSchema.safeParse({ commandId: 'c', range: { from: 5, to: 2 } });
    expect(bad.success).toBe(false);
  });

  it('session:join trims the user name and refuses an empty one', () => {
    expect(
      JoinCommandSchema.parse({ protocolVersion: 1, sessionId: 's', user: { name: ' Ada ' } }).user.name,
    ).toBe('Ada');
    expect(
      JoinCommandSchema.safeParse({ protocolVersion: 1, sessionId: 's', user: { name: ' ' } }).success,
    ).toBe(false);
  });
});

describe('packed acks', () => {
  it('unpackFacts restores facts with their mask bytes; reset gives none', () => {
    const facts: DurableFact[] = [
      { type: 'object:created', seq: 4, object: { id: 1, name: 'a', color: '#112233' } },
      {
        type: 'mask:updated',
        seq: 5,
        objectId: 1,
        frame: 0,
        version: 1,
        mask: new Uint8Array([82, 77, 1]),
        present: true,
        source: 'prompt',
      },
    ];
    expect(unpackFacts({ status: 'ok', facts: packBinary(facts) })).toEqual(facts);
    expect(unpackFacts({ status: 'reset' })).toEqual([]);
  });

  it('unpackMasks parses each stored mask', () => {
    const masks = [
      {
        objectId: 1,
        frame: 3,
        version: 2,
        present: true,
        source: 'propagation' as const,
        stale: false,
        mask: new Uint8Array([9, 9]),
      },
    ];
    expect(unpackMasks({ masks: packBinary(masks), more: false })).toEqual(masks);
  });
});
