/**
 * Per-connection rate limits with the default settings (20 events/s, burst 40): a noisy client is
 * refused with RATE_LIMITED at once while another client in the same session goes on; presence
 * bursts are merged so the others see the latest cursor without the flood.
 */
import type { ObjectAck, Result } from '@roto/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession } from './support/server-realtime.ts';
import { makeScene } from './support/synthetic.ts';

const rt = useRealtimeServer();
const client = () => rt.participant();
let sessionId: string;

beforeAll(async () => {
  sessionId = await createSceneSession(rt.server.store, makeScene({ frames: 2 }));
});

describe('rate limits', () => {
  it('R21: a noisy client (100 commands at once) gets RATE_LIMITED while another client’s commands succeed', async () => {
    const noisy = client();
    const quiet = client();
    await noisy.join(sessionId, { name: 'noisy' });
    await quiet.join(sessionId, { name: 'quiet' });
    const own = await quiet.command<ObjectAck>('object:create', { name: 'mine' });

    const flood = Array.from({ length: 100 }, (_, i) =>
      noisy.request<ObjectAck>('object:create', { commandId: `flood-${i}`, name: `n${i}` }),
    );
    const renames: Array<Result<ObjectAck>> = [];
    for (let i = 0; i < 5; i++)
      renames.push(
        await quiet.request<ObjectAck>('object:update', {
          commandId: `quiet-${i}`,
          objectId: own.object.id,
          name: `mine ${i}`,
        }),
      );
    const results = await Promise.all(flood);

    const accepted = results.filter((r) => r.ok).length;
    const limited = results.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED');
    console.log(`noisy client: ${accepted} accepted, ${limited.length} RATE_LIMITED of 100`);
    // The burst is 40 and the join spent one token; refill during the flood adds a few.
    expect(accepted).toBeGreaterThanOrEqual(35);
    expect(accepted).toBeLessThanOrEqual(60);
    expect(limited.length).toBeGreaterThanOrEqual(40);
    expect(accepted + limited.length).toBe(100);
    const first = limited[0]!;
    expect(first.ok).toBe(false);
    if (!first.ok) expect((first.error.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    // The other client in the same session was never refused.
    expect(renames.map((r) => r.ok)).toEqual([true, true, true, true, true]);
    expect(quiet.of('object:updated').at(-1)?.object.name).toBe('mine 4');
  });

  it('R21: a burst of presence updates is merged: the others get a few, ending on the latest cursor', async () => {
    const mover = client();
    const watcher = client();
    const joined = await mover.join(sessionId, { name: 'mover' });
    await watcher.join(sessionId, { name: 'watcher' });
    for (let x = 0; x < 200; x++) mover.socket.emit('presence:update', { cursor: { x, y: 1 }, frame: 1 });
    const fromMover = () =>
      watcher.of('presence:updated').filter((f) => f.participantId === joined.participantId);
    await watcher.waitFor(() => fromMover().at(-1)?.presence.cursor?.x === 199, 'the last cursor');
    console.log(`200 presence updates sent, ${fromMover().length} relayed`);
    expect(fromMover().length).toBeLessThanOrEqual(50);
    expect(fromMover().at(-1)?.presence).toMatchObject({ cursor: { x: 199, y: 1 }, frame: 1 });
  });
});
