/**
 * SessionManager lifecycle on a real store and the real engine: load once, idle unload, reload on
 * the next command, unload waits for running work, many objects per session.
 */
import { randomUUID } from 'node:crypto';
import type { Fact, JobInfo } from '@roto/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { GpuLane } from '../src/lane/lane.ts';
import { createLogger } from '../src/observability/logger.ts';
import { SessionManager } from '../src/sessions/manager.ts';
import { encodeFactsRecord } from '../src/sessions/records.ts';
import { SNAPSHOT_AFTER_RECORDS } from '../src/sessions/room.ts';
import type { Actor } from '../src/sessions/types.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';
import { createSceneSession, tempDataDir } from './support/server-realtime.ts';
import { interiorPoint, makeScene, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const scene = makeScene({ frames: 10 });
const actor: Actor = { participantId: 'p1', clientId: 'c1', user: { name: 'Ada' }, role: 'editor' };

let engine: OnnxEngine;
let store: FileSessionStore;
let lane: GpuLane;
let removeDir: () => Promise<void>;
const published: Array<{ sessionId: string; fact: Fact }> = [];

function manager(idleUnloadMs: number, memoryBudgetBytes?: number): SessionManager {
  return new SessionManager({
    ...(memoryBudgetBytes !== undefined ? { memoryBudgetBytes } : {}),
    store,
    engine,
    lane,
    logger: createLogger({ level: 'silent' }),
    idleUnloadMs,
    publish: (sessionId, fact) => published.push({ sessionId, fact }),
  });
}

beforeAll(async () => {
  engine = createOnnxEngine({ pack: 'test-tiny' });
  const tmp = await tempDataDir();
  removeDir = tmp.remove;
  store = new FileSessionStore({ dataDir: tmp.dir });
  lane = new GpuLane();
});

afterAll(async () => {
  await lane.close();
  await store.closeAll();
  await engine.close();
  await removeDir();
});

describe('SessionManager', () => {
  it('loads a cold session once for racing callers', async () => {
    const id = await createSceneSession(store, scene);
    const m = manager(60_000);
    const [a, b, c] = await Promise.all([m.getOrLoad(id), m.getOrLoad(id), m.getOrLoad(id)]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(m.loadedIds()).toEqual([id]);
    await m.close();
  });

  it('unloads an idle session after IDLE_UNLOAD_MS and reloads it, unchanged, on the next command', async () => {
    const id = await createSceneSession(store, scene);
    const m = manager(30);
    const room = await m.getOrLoad(id);
    const createCommand = {
      type: 'object:create' as const,
      payload: { commandId: randomUUID(), name: 'Kept' },
    };
    const created = (await room.execute(actor, createCommand)) as { seq: number };
    await room.join(actor, undefined, () => {});
    await new Promise((r) => setTimeout(r, 100));
    expect(m.peek(id)).toBe(room); // a participant keeps it loaded
    room.leave(actor.participantId);
    for (let i = 0; i < 50 && m.peek(id); i++) await new Promise((r) => setTimeout(r, 20));
    expect(m.peek(id)).toBeUndefined();
    expect(room.status.kind).toBe('closed');
    const again = await m.getOrLoad(id);
    expect(again).not.toBe(room);
    expect([...again.state.objects.values()].map((o) => o.name)).toEqual(['Kept']);
    expect(again.state.seq).toBe(created.seq);
    // The retry of an acknowledged command after the reload gets the stored answer and changes nothing.
    expect(await again.execute(actor, createCommand)).toEqual(created);
    expect(again.state.objects.size).toBe(1);
    await m.close();
  });

  it('does not unload a session while a propagation runs, and unload waits for it to end', async () => {
    const id = await createSceneSession(store, scene);
    const m = manager(10);
    const room = await m.getOrLoad(id);
    const disc = sceneObject(scene, SCENE_IDS.disc);
    await room.execute(actor, {
      type: 'prompt:add',
      payload: {
        commandId: randomUUID(),
        frame: 0,
        points: [{ ...interiorPoint(disc.masks[0]!, scene.width), label: 1 }],
      },
    });
    const { jobId } = (await room.execute(actor, {
      type: 'propagation:start',
      payload: { commandId: randomUUID(), direction: 'forward' },
    })) as { jobId: string };
    await new Promise((r) => setTimeout(r, 200));
    expect(m.peek(id)).toBe(room);
    await m.unload(id);
    const ended = published.filter(
      (p) =>
        p.sessionId === id && 'jobId' in p.fact && p.fact.jobId === jobId && p.fact.type !== 'job:progressed',
    );
    expect(ended.map((p) => p.fact.type)).toEqual(['job:cancelled']);
    const reloaded = await m.getOrLoad(id);
    expect(reloaded.state.jobs.size).toBe(0);
    await m.close();
  });

  it('compacts a long log into a snapshot on unload; the reload restores document and undo history', async () => {
    const id = await createSceneSession(store, scene);
    const m = manager(60_000);
    const room = await m.getOrLoad(id);
    const { object } = (await room.execute(actor, {
      type: 'object:create',
      payload: { commandId: randomUUID() },
    })) as {
      object: { id: number };
    };
    for (let i = 0; i <= SNAPSHOT_AFTER_RECORDS; i++) {
      await room.execute(actor, {
        type: 'object:update',
        payload: { commandId: randomUUID(), objectId: object.id, name: `name ${i}` },
      });
    }
    const seq = room.state.seq;
    await m.unload(id);
    const loaded = await store.load(id);
    expect(loaded.snapshot?.seq).toBe(seq);
    expect(loaded.records).toEqual([]);
    const again = await m.getOrLoad(id);
    expect(again.state.objects.get(object.id)?.name).toBe(`name ${SNAPSHOT_AFTER_RECORDS}`);
    await again.execute(actor, { type: 'history:undo', payload: { commandId: randomUUID() } });
    expect(again.state.objects.get(object.id)?.name).toBe(`name ${SNAPSHOT_AFTER_RECORDS - 1}`);
    // A client that last saw a compacted seq is told to rebuild from the snapshot.
    const ack = await again.join({ ...actor, participantId: 'p2' }, 3, () => {});
    expect(ack.catchUp).toEqual({ status: 'reset' });
    expect(ack.snapshot.seq).toBe(seq + 1);
    await m.close();
  });

  it('unloads idle sessions, least recently used first, when their masks pass the memory budget', async () => {
    const disc = sceneObject(scene, SCENE_IDS.disc);
    const m = manager(60_000, 1);
    const first = await createSceneSession(store, scene);
    const room = await m.getOrLoad(first);
    await room.execute(actor, {
      type: 'prompt:add',
      payload: {
        commandId: randomUUID(),
        frame: 0,
        points: [{ ...interiorPoint(disc.masks[0]!, scene.width), label: 1 }],
      },
    });
    expect(room.memoryBytes()).toBeGreaterThan(1);
    const busy = await createSceneSession(store, scene);
    const busyRoom = await m.getOrLoad(busy);
    await busyRoom.join(actor, undefined, () => {});
    await busyRoom.execute(actor, {
      type: 'prompt:add',
      payload: {
        commandId: randomUUID(),
        frame: 0,
        points: [{ ...interiorPoint(disc.masks[0]!, scene.width), label: 1 }],
      },
    });
    await m.getOrLoad(await createSceneSession(store, scene));
    for (let i = 0; i < 50 && m.peek(first); i++) await new Promise((r) => setTimeout(r, 20));
    expect(m.peek(first)).toBeUndefined(); // idle and over budget: unloaded
    expect(m.peek(busy)).toBe(busyRoom); // someone is in it: kept
    expect((await m.getOrLoad(first)).state.masks.size).toBe(1); // and back on demand
    await m.close();
  });

  it('R14: a job a crash interrupted (started, never ended in the log) ends as cancelled on load', async () => {
    const id = await createSceneSession(store, scene);
    // What a process killed in the middle of a propagation leaves: job:started and no end.
    const job = {
      jobId: 'j-crashed',
      kind: 'propagation',
      direction: 'forward',
      objectIds: [1],
      range: { from: 0, to: 9 },
      startedBy: 'Ada',
    };
    await store.append(
      id,
      encodeFactsRecord({
        kind: 'command',
        command: 'propagation:start',
        commandId: 'c-1',
        by: 'c1',
        facts: [{ type: 'job:started', job: job as JobInfo, total: 9 }],
      }),
    );
    await store.close(id);
    const m = manager(60_000);
    const room = await m.getOrLoad(id);
    expect(room.state.jobs.size).toBe(0);
    expect(published.find((p) => p.sessionId === id && p.fact.type === 'job:cancelled')?.fact).toMatchObject({
      jobId: 'j-crashed',
      reason: 'the server restarted',
    });
    // The retry of the acknowledged propagation:start still gets its answer.
    expect(
      await room.execute(actor, {
        type: 'propagation:start',
        payload: { commandId: 'c-1', direction: 'forward' },
      }),
    ).toEqual({ jobId: 'j-crashed' });
    await m.close();
  });

  it('holds at least 64 objects per session', async () => {
    const id = await createSceneSession(store, scene);
    const m = manager(60_000);
    const room = await m.getOrLoad(id);
    await Promise.all(
      Array.from({ length: 70 }, (_, i) =>
        room.execute(actor, { type: 'object:create', payload: { commandId: randomUUID(), name: `o${i}` } }),
      ),
    );
    expect(room.state.objects.size).toBe(70);
    expect(new Set([...room.state.objects.keys()]).size).toBe(70);
    await m.close();
  });
});
