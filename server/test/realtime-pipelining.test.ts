/**
 * Renames and prompt clears of different objects are pipelined by the session room (their records
 * share one fdatasync): what participants see must stay exactly what strictly one-at-a-time
 * commands would give — every ack durable, facts in seq order, the same document after a restart.
 */
import type { ObjectAck, PromptAddAck, SeqAck } from '@roto/shared';
import { describe, expect, it } from 'vitest';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession } from './support/server-realtime.ts';
import { interiorPoint, makeScene, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const scene = makeScene({ frames: 4 });
const rt = useRealtimeServer();

async function joined(sessionId: string, name: string, clientId?: string) {
  const c = rt.participant();
  await c.join(sessionId, { name, ...(clientId ? { clientId } : {}) });
  return c;
}

/** What a participant joining now is shown. */
async function snapshotOf(sessionId: string) {
  const c = rt.participant();
  return (await c.join(sessionId, { name: 'late' })).snapshot;
}

describe('pipelined object-local commands', () => {
  it('R9: renames fired at once by six participants are all acked, in seq order, and survive a restart', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const people = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => joined(sessionId, `P${i}`)));
    const watcher = await joined(sessionId, 'watcher');
    const objects = await Promise.all(
      people.map((p, i) => p.command<ObjectAck>('object:create', { name: `p${i}` }).then((a) => a.object.id)),
    );
    // Every participant fires 12 renames without waiting for any ack.
    const acks = await Promise.all(
      people.map((p, i) =>
        Promise.all(
          Array.from({ length: 12 }, (_, k) =>
            p.command<ObjectAck>('object:update', { objectId: objects[i], name: `p${i}-${k}` }),
          ),
        ),
      ),
    );
    for (const [i, list] of acks.entries()) {
      expect(list.map((a) => a.object.name)).toEqual(Array.from({ length: 12 }, (_, k) => `p${i}-${k}`));
      const seqs = list.map((a) => a.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    const allSeqs = acks.flat().map((a) => a.seq);
    await watcher.waitFor((w) => w.lastSeq() >= Math.max(...allSeqs), 'every rename');
    const seen = watcher.of('object:updated').map((f) => f.seq);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen).toHaveLength(6 * 12);

    const expected = objects.map((id, i) => ({ id, name: `p${i}-11` }));
    const names = (objs: Array<{ id: number; name: string }>) =>
      objs.filter((o) => objects.includes(o.id)).map(({ id, name }) => ({ id, name }));
    expect(names((await snapshotOf(sessionId)).objects)).toEqual(expected);

    await rt.restart();
    expect(names((await snapshotOf(sessionId)).objects)).toEqual(expected);
  });

  it('R15: an undo sent right behind pipelined renames undoes the last of them', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const a = await joined(sessionId, 'A', 'tab-a');
    const b = await joined(sessionId, 'B', 'tab-b');
    const mine = (await a.command<ObjectAck>('object:create', { name: 'mine' })).object.id;
    const theirs = (await b.command<ObjectAck>('object:create', { name: 'theirs' })).object.id;
    const sent = [
      a.command<ObjectAck>('object:update', { objectId: mine, name: 'one' }),
      b.command<ObjectAck>('object:update', { objectId: theirs, name: 'other' }),
      a.command<ObjectAck>('object:update', { objectId: mine, name: 'two' }),
      a.command('history:undo'),
    ];
    await Promise.all(sent);
    const snapshot = await snapshotOf(sessionId);
    expect(snapshot.objects.map(({ id, name }) => ({ id, name }))).toEqual([
      { id: mine, name: 'one' },
      { id: theirs, name: 'other' },
    ]);
  });

  it('R12: a prompt clear fired behind a click on its object clears what the click stored', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const a = await joined(sessionId, 'A');
    const rect = sceneObject(scene, SCENE_IDS.rectangle);
    const point = { ...interiorPoint(rect.masks[0]!, scene.width), label: 1 as const };
    const objectId = (await a.command<ObjectAck>('object:create', { name: 'r' })).object.id;
    const [click, clear] = await Promise.all([
      a.command<PromptAddAck>('prompt:add', { frame: 0, objectId, points: [point] }),
      a.command<SeqAck>('prompt:clear', { frame: 0, objectId }),
    ]);
    expect(clear.seq).toBeGreaterThan(click.seq);
    const snapshot = await snapshotOf(sessionId);
    expect(snapshot.prompts.filter((p) => p.objectId === objectId)).toEqual([]);
    expect(snapshot.masks.filter((m) => m.objectId === objectId)).toEqual([]);
  });

  it('R9: a rename of another object does not wait for a click on a cold frame; both are stored', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const a = await joined(sessionId, 'A');
    const rect = sceneObject(scene, SCENE_IDS.rectangle);
    const point = { ...interiorPoint(rect.masks[3]!, scene.width), label: 1 as const };
    const clicked = (await a.command<ObjectAck>('object:create', { name: 'clicked' })).object.id;
    const renamed = (await a.command<ObjectAck>('object:create', { name: 'renamed' })).object.id;
    const order: string[] = [];
    // Frame 3 has no embedding yet: the click runs the image encoder before its decoder.
    const click = a
      .command<PromptAddAck>('prompt:add', { frame: 3, objectId: clicked, points: [point] })
      .then((ack) => {
        order.push('click');
        return ack;
      });
    const rename = a.command<ObjectAck>('object:update', { objectId: renamed, name: 'quick' }).then((ack) => {
      order.push('rename');
      return ack;
    });
    const [clickAck, renameAck] = await Promise.all([click, rename]);
    expect(order).toEqual(['rename', 'click']);
    expect(renameAck.seq).toBeLessThan(clickAck.seq);
    const snapshot = await snapshotOf(sessionId);
    expect(snapshot.objects.find((o) => o.id === renamed)?.name).toBe('quick');
    expect(snapshot.masks.filter((m) => m.objectId === clicked).map((m) => m.frame)).toEqual([3]);
  });
});
