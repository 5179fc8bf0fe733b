/**
 * Collaboration over the realtime protocol: clicks, propagation streaming, late joiners,
 * reconnects with catch-up, restarts. Real server, real clients, real engine on the test pack;
 * masks are checked against the synthetic scene's ground truth.
 */
import {
  decodeMask,
  type FactOf,
  type MasksFetchAck,
  type PromptAddAck,
  unpackFacts,
  unpackMasks,
} from '@roto/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession, type Participant } from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const FRAMES = 8;
const scene = makeScene({ frames: FRAMES });
const disc = sceneObject(scene, SCENE_IDS.disc);
const triangle = sceneObject(scene, SCENE_IDS.triangle);

const rt = useRealtimeServer();
const client = () => rt.participant();

function iou(mask: Uint8Array, truth: Uint8Array): number {
  return maskIoU(decodeMask(mask).mask, truth);
}

function click(obj: { masks: Uint8Array[] }, frame: number) {
  return { ...interiorPoint(obj.masks[frame]!, scene.width), label: 1 as const };
}

describe('collaboration', () => {
  let sessionId: string;

  beforeAll(async () => {
    sessionId = await createSceneSession(rt.server.store, scene);
  });

  it('R9: A clicks and B receives the identical mask bytes, after the ack says it is stored', async () => {
    const a = client();
    const b = client();
    await a.join(sessionId, { name: 'A' });
    await b.join(sessionId, { name: 'B' });
    const ack = await a.command<PromptAddAck>('prompt:add', { frame: 0, points: [click(disc, 0)] });
    expect(iou(ack.mask.mask, disc.masks[0]!)).toBeGreaterThan(0.9);
    await b.waitFor((p) => p.of('mask:updated').length > 0, 'B to get the mask');
    const seen = b.of('mask:updated')[0]!;
    expect(Buffer.from(seen.mask).equals(Buffer.from(ack.mask.mask))).toBe(true);
    expect(seen).toMatchObject({
      objectId: ack.objectId,
      frame: 0,
      version: 1,
      present: true,
      source: 'prompt',
      seq: ack.seq,
    });
    expect(b.of('object:created').map((f) => f.object.id)).toEqual([ack.objectId]);
    expect(b.of('prompts:updated')[0]).toMatchObject({
      objectId: ack.objectId,
      frame: 0,
      prompts: { points: [click(disc, 0)] },
    });
  });

  it('R10: a propagation streams every frame of every object to every participant, with rising progress', async () => {
    const a = client();
    const b = client();
    const joined = await a.join(sessionId, { name: 'A' });
    await b.join(sessionId, { name: 'B' });
    const discId = joined.snapshot.objects[0]!.id;
    const tri = await a.command<PromptAddAck>('prompt:add', { frame: 0, points: [click(triangle, 0)] });
    const { jobId } = await a.command<{ jobId: string }>('propagation:start', { direction: 'forward' });
    for (const p of [a, b])
      await p.waitFor((x) => x.of('job:finished').some((f) => f.jobId === jobId), 'job:finished');
    for (const p of [a, b]) {
      const started = p.of('job:started').find((f) => f.job.jobId === jobId)!;
      expect(started.total).toBe(2 * (FRAMES - 1));
      const masks = p.of('mask:updated').filter((m) => m.source === 'propagation');
      expect(masks.map((m) => `${m.objectId}/${m.frame}`).sort()).toEqual(
        [discId, tri.objectId]
          .flatMap((o) => Array.from({ length: FRAMES - 1 }, (_, i) => `${o}/${i + 1}`))
          .sort(),
      );
      for (const m of masks) {
        const truth = (m.objectId === discId ? disc : triangle).masks[m.frame]!;
        expect(iou(m.mask, truth)).toBeGreaterThan(0.85);
      }
      const seqs = masks.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    const progress = a.of('job:progressed').filter((f) => f.jobId === jobId);
    expect(progress.at(-1)!.progress).toMatchObject({ done: 2 * (FRAMES - 1), total: 2 * (FRAMES - 1) });
    const counters = progress.map((f) => f.progress.counter);
    expect(counters).toEqual([...counters].sort((x, y) => x - y));
    expect(progress.at(-1)!.progress.fps).toBeGreaterThan(0);
  });

  it('R11: C joins late and sees everything: objects, prompts, the mask index and the very same mask bytes', async () => {
    const a = rt.clients[0] as Participant; // A of R9: connected since before the first click
    const c = client();
    const ack = await c.join(sessionId, { name: 'C' });
    const snap = ack.snapshot;
    expect(snap.objects).toHaveLength(2);
    expect(snap.prompts).toHaveLength(2);
    expect(snap.masks).toHaveLength(2 * FRAMES);
    expect(snap.jobs).toEqual([]);
    const ackFetched = await c.command<MasksFetchAck>('masks:fetch', {});
    expect(ackFetched.more).toBe(false);
    const fetched = { masks: unpackMasks(ackFetched) };
    const latest = new Map<string, Uint8Array>();
    for (const m of a.of('mask:updated')) latest.set(`${m.objectId}/${m.frame}`, m.mask);
    expect(fetched.masks).toHaveLength(latest.size);
    for (const m of fetched.masks)
      expect(Buffer.from(m.mask).equals(Buffer.from(latest.get(`${m.objectId}/${m.frame}`)!))).toBe(true);
  });

  it('R12: a correction marks later propagated frames stale, and re-propagating recomputes only those', async () => {
    const a = client();
    const ack = await a.join(sessionId, { name: 'A' });
    const discId = ack.snapshot.objects.find((o) =>
      ack.snapshot.prompts.some((p) => p.objectId === o.id && p.frame === 0),
    )!.id;
    await a.command('prompt:add', { frame: 4, objectId: discId, points: [click(disc, 4)] });
    await a.waitFor((p) => p.of('masks:stale').length > 0, 'masks:stale');
    expect(a.of('masks:stale')[0]).toMatchObject({ objectId: discId, frames: [5, 6, 7] });
    const { jobId } = await a.command<{ jobId: string }>('propagation:start', {
      direction: 'forward',
      objectIds: [discId],
    });
    await a.waitFor((p) => p.of('job:finished').some((f) => f.jobId === jobId), 'job:finished');
    expect(a.of('job:started').find((f) => f.job.jobId === jobId)!.total).toBe(3);
    const recomputed = a
      .of('mask:updated')
      .filter((m) => m.source === 'propagation')
      .map((m) => m.frame);
    expect(recomputed.sort()).toEqual([5, 6, 7]);
    const snap = (await client().join(sessionId)).snapshot;
    expect(snap.masks.filter((m) => m.stale)).toEqual([]);
  });
});

describe('directions', () => {
  it('R10: direction "both" tracks forward, then backward, from a prompt in the middle of the clip', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const a = client();
    await a.join(sessionId);
    const ack = await a.command<PromptAddAck>('prompt:add', { frame: 5, points: [click(disc, 5)] });
    const { jobId } = await a.command<{ jobId: string }>('propagation:start', { direction: 'both' });
    await a.waitFor((p) => p.of('job:finished').some((f) => f.jobId === jobId), 'job:finished');
    const tracked = a.of('mask:updated').filter((m) => m.source === 'propagation');
    expect(tracked.map((m) => `${m.direction}:${m.frame}`)).toEqual([
      'forward:6',
      'forward:7',
      'backward:4',
      'backward:3',
      'backward:2',
      'backward:1',
      'backward:0',
    ]);
    for (const m of tracked) {
      expect(m.objectId).toBe(ack.objectId);
      expect(iou(m.mask, disc.masks[m.frame]!)).toBeGreaterThan(0.85);
    }
  });
});

describe('reconnect and restart', () => {
  it('R13: a client that reconnects in the middle of a propagation misses nothing (lastSeq catch-up)', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const a = client();
    const b = client();
    await a.join(sessionId, { name: 'A' });
    await b.join(sessionId, { name: 'B', clientId: 'b-tab' });
    const first = await a.command<PromptAddAck>('prompt:add', { frame: 0, points: [click(disc, 0)] });
    const { jobId } = await a.command<{ jobId: string }>('propagation:start', { direction: 'forward' });
    await b.waitFor((p) => p.of('mask:updated').length >= 3, 'the click and two propagated masks');
    b.close();
    const lastSeq = b.lastSeq();
    const got = new Map(b.of('mask:updated').map((m) => [m.frame, m]));
    await a.waitFor(
      (p) => p.of('mask:updated').filter((m) => m.source === 'propagation').length >= 4,
      'more masks while B is away',
    );
    const b2 = client();
    const rejoin = await b2.join(sessionId, { name: 'B', clientId: 'b-tab', lastSeq });
    expect(rejoin.catchUp.status).toBe('ok');
    expect(b2.durableFactsBeforeAck).toBe(0); // the ack comes before any live fact
    const caught = unpackFacts(rejoin.catchUp);
    expect(caught.every((f) => f.seq > lastSeq && f.seq <= rejoin.snapshot.seq)).toBe(true);
    for (const f of caught) if (f.type === 'mask:updated') got.set(f.frame, f);
    await b2.waitFor(
      (p) =>
        p.of('job:finished').some((f) => f.jobId === jobId) || caught.some((f) => f.type === 'job:finished'),
      'the end of the job',
    );
    // Live facts start right after the snapshot: nothing twice, nothing missing.
    expect(b2.of('mask:updated').every((m) => m.seq > rejoin.snapshot.seq)).toBe(true);
    for (const m of b2.of('mask:updated')) got.set(m.frame, m);
    expect([...got.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
    const finalMasks = a.of('mask:updated');
    for (const m of finalMasks)
      expect(Buffer.from(got.get(m.frame)!.mask).equals(Buffer.from(m.mask))).toBe(true);
    expect(got.get(0)!.seq).toBe(first.seq);
  });

  it('R14: a restart of the server on the same DATA_DIR loses no acknowledged command', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const a = client();
    await a.join(sessionId, { name: 'A', clientId: 'a-tab' });
    const obj = await a.command<{ object: { id: number } }>('object:create', {
      name: 'Ball',
      color: '#FF0000',
    });
    const clicked = await a.command<PromptAddAck>('prompt:add', {
      frame: 2,
      objectId: obj.object.id,
      points: [click(disc, 2)],
    });
    const renamed = await a.command<{ seq: number }>('object:update', {
      objectId: obj.object.id,
      name: 'Red ball',
    });
    const extra = await a.command<PromptAddAck>('prompt:add', { frame: 1, points: [click(triangle, 1)] });
    await a.command('object:delete', { objectId: extra.objectId });
    a.close();
    await rt.restart();
    const b = client();
    const ack = await b.join(sessionId, { name: 'B', clientId: 'a-tab', lastSeq: 0 });
    expect(ack.snapshot.seq).toBeGreaterThanOrEqual(renamed.seq);
    expect(ack.snapshot.objects).toEqual([{ id: obj.object.id, name: 'Red ball', color: '#ff0000' }]);
    expect(ack.snapshot.prompts).toEqual([
      { objectId: obj.object.id, frame: 2, prompts: { points: [click(disc, 2)] } },
    ]);
    const masks = { masks: unpackMasks(await b.command<MasksFetchAck>('masks:fetch', {})) };
    expect(masks.masks).toHaveLength(1);
    expect(Buffer.from(masks.masks[0]!.mask).equals(Buffer.from(clicked.mask.mask))).toBe(true);
    // History survives too: the same client undoes its last edit (the delete) after the restart.
    const undo = await b.command<{ command: string }>('history:undo', {});
    expect(undo.command).toBe('object:delete');
    await b.waitFor((p) => p.of('object:created').length > 0, 'the object back');
    const restored = b.of('mask:updated').find((m) => m.objectId === extra.objectId)!;
    expect(Buffer.from(restored.mask).equals(Buffer.from(extra.mask.mask))).toBe(true);
    // And the engine rebuilds its memory from the stored prompts: propagation works after the restart.
    const { jobId } = await b.command<{ jobId: string }>('propagation:start', {
      objectIds: [obj.object.id],
      range: { from: 2, to: 4 },
    });
    await b.waitFor((p) => p.of('job:finished').some((f) => f.jobId === jobId), 'job:finished');
    const tracked = b
      .of('mask:updated')
      .filter((m) => m.source === 'propagation') as FactOf<'mask:updated'>[];
    expect(tracked.map((m) => m.frame)).toEqual([3, 4]);
    for (const m of tracked) expect(iou(m.mask, disc.masks[m.frame]!)).toBeGreaterThan(0.85);
  });
});
