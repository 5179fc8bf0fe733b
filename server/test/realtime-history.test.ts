/**
 * Undo/redo, job cancellation and presence over the realtime protocol (real server, clients, engine).
 */
import { randomUUID } from 'node:crypto';
import { decodeMask, type PromptAddAck } from '@roto/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession, Participant } from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const scene = makeScene({ frames: 12 });
const disc = sceneObject(scene, SCENE_IDS.disc);
const rect = sceneObject(scene, SCENE_IDS.rectangle);

const rt = useRealtimeServer();
let sessionId: string;

async function joined(name: string, clientId?: string): Promise<Participant> {
  const c = rt.participant();
  await c.join(sessionId, { name, ...(clientId ? { clientId } : {}) });
  return c;
}

function click(obj: { masks: Uint8Array[] }, frame: number, label: 0 | 1 = 1) {
  return { ...interiorPoint(obj.masks[frame]!, scene.width), label };
}

beforeAll(async () => {
  sessionId = await createSceneSession(rt.server.store, scene);
});

describe('history', () => {
  it("R15: undo and redo revert and re-apply one's own edits; another participant has nothing to undo", async () => {
    const a = await joined('A', 'tab-a');
    const b = await joined('B', 'tab-b');
    const first = await a.command<PromptAddAck>('prompt:add', { frame: 0, points: [click(disc, 0)] });
    const second = await a.command<PromptAddAck>('prompt:add', {
      frame: 0,
      objectId: first.objectId,
      points: [click(rect, 0, 1)],
    });
    expect(maskIoU(decodeMask(first.mask.mask).mask, disc.masks[0]!)).toBeGreaterThan(0.9);
    // The second click (on the rectangle) changed the object's mask.
    expect(Buffer.from(second.mask.mask).equals(Buffer.from(first.mask.mask))).toBe(false);

    const nothing = await b.request('history:undo', { commandId: randomUUID() });
    expect(nothing).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: 'Nothing to undo' } });

    const undo = await a.command<{ command: string }>('history:undo');
    expect(undo.command).toBe('prompt:add');
    await b.waitFor((p) => p.of('mask:updated').length >= 3, 'the undone mask');
    const back = b.of('mask:updated').at(-1)!;
    expect(Buffer.from(back.mask).equals(Buffer.from(first.mask.mask))).toBe(true);
    expect(back.version).toBe(3);
    expect(b.of('prompts:updated').at(-1)).toMatchObject({
      objectId: first.objectId,
      frame: 0,
      prompts: { points: [click(disc, 0)] },
    });

    const redo = await a.command<{ command: string }>('history:redo');
    expect(redo.command).toBe('prompt:add');
    await b.waitFor((p) => p.of('mask:updated').length >= 4, 'the redone mask');
    expect(Buffer.from(b.of('mask:updated').at(-1)!.mask).equals(Buffer.from(second.mask.mask))).toBe(true);

    // Undo twice: the second reverts the object's creation.
    await a.command('history:undo');
    await a.command('history:undo');
    await b.waitFor(
      (p) => p.of('object:deleted').some((f) => f.objectId === first.objectId),
      'the object gone',
    );
    const again = await a.request('history:redo', { commandId: randomUUID() });
    expect(again.ok).toBe(true);
    await b.waitFor(
      (p) => p.of('object:created').filter((f) => f.object.id === first.objectId).length >= 2,
      'the object back',
    );
  });
});

describe('jobs and presence', () => {
  it('R10: job:cancel stops a propagation between steps; the masks already streamed stay', async () => {
    const a = await joined('A');
    const ack = await a.command<PromptAddAck>('prompt:add', { frame: 0, points: [click(rect, 0)] });
    const { jobId } = await a.command<{ jobId: string }>('propagation:start', { objectIds: [ack.objectId] });
    await a.waitFor(
      (p) => p.of('mask:updated').filter((m) => m.source === 'propagation').length >= 2,
      'two frames',
    );
    await a.command('job:cancel', { jobId });
    await a.waitFor((p) => p.of('job:cancelled').some((f) => f.jobId === jobId), 'job:cancelled');
    const cancelled = a.of('job:cancelled').find((f) => f.jobId === jobId)!;
    expect(cancelled.reason).toContain('A');
    expect(cancelled.done).toBeLessThan(11);
    const streamed = a
      .of('mask:updated')
      .filter((m) => m.source === 'propagation' && m.objectId === ack.objectId);
    expect(streamed.length).toBe(cancelled.done);
    const late = new Participant(rt.server.url);
    rt.clients.push(late);
    const snap = (await late.join(sessionId)).snapshot;
    expect(snap.jobs).toEqual([]);
    expect(snap.masks.filter((m) => m.objectId === ack.objectId)).toHaveLength(1 + cancelled.done);
    const unknown = await a.request('job:cancel', { commandId: randomUUID(), jobId });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('R16: presence goes to the others, not back to the sender, and is not stored', async () => {
    const a = await joined('A');
    const b = await joined('B');
    a.socket.emit('presence:update', { cursor: { x: 10, y: 20 }, frame: 3 });
    await b.waitFor((p) => p.of('presence:updated').length > 0, 'presence');
    expect(b.of('presence:updated')[0]).toMatchObject({
      participantId: a.socket.id,
      presence: { cursor: { x: 10, y: 20 }, frame: 3 },
    });
    expect(a.of('presence:updated')).toEqual([]);
    const c = new Participant(rt.server.url);
    rt.clients.push(c);
    const ack = await c.join(sessionId);
    expect(ack.snapshot.participants.find((p) => p.participantId === a.socket.id)?.presence).toMatchObject({
      frame: 3,
    });
    await a.waitFor(
      (p) => p.of('participant:joined').some((f) => f.participant.participantId === c.socket.id),
      'joined',
    );
    const cId = c.socket.id;
    c.close();
    await a.waitFor((p) => p.of('participant:left').some((f) => f.participantId === cId), 'left');
  });
});
