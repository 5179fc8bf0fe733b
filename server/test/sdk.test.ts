/**
 * The client SDK against a real server (port 0, real engine on the test pack, real sockets):
 * two SDK clients collaborate, commands survive dropped connections exactly once, facts arrive
 * once and in seq order across reconnects, and failures reject with the server's code.
 */
import { type DurableFact, type Fact, RotoError } from '@roto/shared';
import {
  type ConnectionState,
  type ConnectOptions,
  DURABLE_FACT_TYPES,
  decodeMask,
  RotoClient,
} from '@roto/shared/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlakyNetwork } from './sdk-network.ts';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession } from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const FRAMES = 8;
const scene = makeScene({ frames: FRAMES });
const disc = sceneObject(scene, SCENE_IDS.disc);
const triangle = sceneObject(scene, SCENE_IDS.triangle);

let network: FlakyNetwork;
/** Set by a test: the next event of this name makes the network swallow the server's answers. */
let blackholeOn: string | undefined;

const rt = useRealtimeServer({
  realtime: {
    authorize: (_sessionId, token) => (token === 'view-only' ? 'viewer' : 'editor'),
    beforeEvent: (_socket, event) => {
      if (event !== blackholeOn) return;
      blackholeOn = undefined;
      network.blackhole();
    },
  },
});

beforeAll(async () => {
  network = await new FlakyNetwork(Number(new URL(rt.server.url).port)).listen();
});

// Clients go before the network they may be connected through; the fixture stops the server after.
afterAll(async () => {
  for (const c of rt.clients.splice(0)) c.close();
  await network.close();
});

/** A joined SDK client that records every fact it is given and every state it goes through. */
async function join(sessionId: string, name: string, opts: Partial<ConnectOptions> = {}) {
  const client = await RotoClient.connect({
    url: rt.server.url,
    sessionId,
    user: { name },
    reconnectionDelayMs: 100,
    reconnectionDelayMaxMs: 300,
    ...opts,
  });
  rt.clients.push(client);
  const facts: Fact[] = [];
  const states: ConnectionState[] = [client.state];
  for (const type of [...DURABLE_FACT_TYPES, 'job:progressed'] as const)
    client.on(type, (f: Fact) => facts.push(f));
  client.on('state', (s) => states.push(s));
  const of = <T extends Fact['type']>(type: T) =>
    facts.filter((f): f is Extract<Fact, { type: T }> => f.type === type);
  return { client, facts, states, of };
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function click(obj: { masks: Uint8Array[] }, frame: number) {
  return { ...interiorPoint(obj.masks[frame]!, scene.width), label: 1 as const };
}

function durable(facts: Fact[]): DurableFact[] {
  return facts.filter((f): f is DurableFact => 'seq' in f);
}

/** The same fact twice would show up here: every durable fact's identity within its record. */
function identities(facts: DurableFact[]): string[] {
  return facts.map(
    (f) =>
      `${f.seq}/${f.type}/${'objectId' in f ? f.objectId : ''}/${'frame' in f ? f.frame : ''}/${'object' in f ? f.object.id : ''}`,
  );
}

describe('SDK: collaboration', () => {
  let sessionId: string;
  beforeAll(async () => {
    sessionId = await createSceneSession(rt.server.store, scene);
  });

  it('R9: A adds a prompt and B receives the identical mask, which covers the clicked object', async () => {
    const a = await join(sessionId, 'A');
    const b = await join(sessionId, 'B');
    expect(a.client.state).toBe('connected');
    expect(a.client.role).toBe('editor');
    const ack = await a.client.addPrompts({ frame: 0, points: [click(disc, 0)] });
    const decoded = decodeMask(ack.mask.mask);
    expect([decoded.width, decoded.height]).toEqual([scene.width, scene.height]);
    expect(maskIoU(decoded.mask, disc.masks[0]!)).toBeGreaterThan(0.9);
    await until(() => b.of('mask:updated').length === 1, 'B to get the mask');
    const seen = b.of('mask:updated')[0]!;
    expect(Buffer.from(seen.mask).equals(Buffer.from(ack.mask.mask))).toBe(true);
    expect(seen).toMatchObject({
      objectId: ack.objectId,
      frame: 0,
      version: 1,
      source: 'prompt',
      seq: ack.seq,
    });
    expect(b.of('object:created').map((f) => f.object.id)).toEqual([ack.objectId]);
    // The sender gets its own facts too, once.
    await until(() => a.of('mask:updated').length === 1, 'A to get its own mask');
    expect(identities(durable(a.facts))).toEqual(identities(durable(b.facts)));
  });

  it('R13: propagation facts arrive once and in seq order, also for a client whose connection drops midway', async () => {
    const a = await join(sessionId, 'A2');
    const b = await join(sessionId, 'B2', { url: network.url });
    const { objectId: triId } = await a.client.addPrompts({ frame: 0, points: [click(triangle, 0)] });
    const { jobId } = await a.client.propagate({ direction: 'forward' });
    await until(
      () => b.of('mask:updated').filter((m) => m.source === 'propagation').length >= 3,
      'B to get a few masks',
    );
    network.cut();
    await until(() => b.client.state === 'reconnecting', 'B to notice');
    await until(
      () => a.of('mask:updated').filter((m) => m.source === 'propagation').length >= 8,
      'more masks while B is away',
    );
    network.restore();
    for (const p of [a, b])
      await until(() => p.of('job:finished').some((f) => f.jobId === jobId), 'job:finished');
    expect(b.states).toEqual(['connected', 'reconnecting', 'connected']);

    const discId = a.client.snapshot.objects.find((o) => o.id !== triId)!.id;
    for (const p of [a, b]) {
      const facts = durable(p.facts);
      const seqs = facts.map((f) => f.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      const ids = identities(facts);
      expect(new Set(ids).size).toBe(ids.length);
      const masks = p.of('mask:updated').filter((m) => m.source === 'propagation');
      expect(masks.map((m) => `${m.objectId}/${m.frame}`).sort()).toEqual(
        [discId, triId].flatMap((o) => Array.from({ length: FRAMES - 1 }, (_, i) => `${o}/${i + 1}`)).sort(),
      );
      for (const m of masks) {
        const truth = (m.objectId === discId ? disc : triangle).masks[m.frame]!;
        expect(maskIoU(decodeMask(m.mask).mask, truth)).toBeGreaterThan(0.85);
      }
    }
    // B's stream, catch-up included, is exactly A's from the moment B joined.
    const fromB = durable(a.facts).filter((f) => f.seq >= durable(b.facts)[0]!.seq);
    expect(identities(durable(b.facts))).toEqual(identities(fromB));
    expect(b.client.lastSeq).toBe(a.client.lastSeq);
  });
});

describe('SDK: every command', () => {
  it('R12, R15, R10: clear, undo, redo, rename, cancel and delete, as the other participant sees them', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const a = await join(sessionId, 'A');
    const b = await join(sessionId, 'B');
    const { objectId } = await a.client.addPrompts({ frame: 0, points: [click(disc, 0)] });
    await a.client.clearPrompts({ frame: 0, objectId });
    await until(() => b.of('prompts:updated').length === 2, 'the clear');
    expect(b.of('prompts:updated')[1]).toMatchObject({ objectId, frame: 0, prompts: null });
    expect(b.of('masks:removed').at(-1)).toMatchObject({ objectId, frames: [0] });

    expect(await a.client.undo()).toMatchObject({ command: 'prompt:clear' });
    await until(() => b.of('prompts:updated').length === 3, 'the undo');
    expect(b.of('prompts:updated')[2]).toMatchObject({
      objectId,
      frame: 0,
      prompts: { points: [click(disc, 0)] },
    });
    expect(await a.client.redo()).toMatchObject({ command: 'prompt:clear' });
    expect(await a.client.undo()).toMatchObject({ command: 'prompt:clear' });

    const renamed = await a.client.updateObject({ objectId, name: 'Ball', color: '#00FF00' });
    expect(renamed.object).toEqual({ id: objectId, name: 'Ball', color: '#00ff00' });

    const { jobId } = await a.client.propagate({ direction: 'forward', objectIds: [objectId] });
    await until(() => b.of('mask:updated').some((m) => m.source === 'propagation'), 'the first tracked mask');
    expect(await a.client.cancelJob({ jobId })).toEqual({ jobId });
    await until(() => b.of('job:cancelled').some((f) => f.jobId === jobId), 'job:cancelled');
    const cancelled = b.of('job:cancelled')[0]!;
    expect(cancelled.reason).toBe('cancelled by A');
    expect(cancelled.done).toBeLessThan(FRAMES - 1);

    await a.client.deleteObject({ objectId });
    await until(() => b.of('object:deleted').length === 1, 'the delete');
    expect(b.of('object:deleted')[0]).toMatchObject({ objectId });
    const snap = (await join(sessionId, 'late')).client.snapshot;
    expect(snap.objects).toEqual([]);
    expect(snap.masks).toEqual([]);
  });
});

describe('SDK: presence', () => {
  it('R16: presence reaches the others, and the latest presence set while offline is sent on rejoin', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const b = await join(sessionId, 'B');
    const seen: Array<{ participantId: string; frame?: number | undefined }> = [];
    b.client.on('presence:updated', (f) =>
      seen.push({ participantId: f.participantId, frame: f.presence.frame }),
    );
    const a = await join(sessionId, 'A', { url: network.url });
    a.client.updatePresence({ frame: 2, cursor: { x: 5, y: 6 } });
    await until(() => seen.some((p) => p.frame === 2), 'the first presence');
    expect(seen.at(-1)).toEqual({ participantId: a.client.participantId, frame: 2 });
    network.cut();
    await until(() => a.client.state === 'reconnecting', 'the drop');
    a.client.updatePresence({ frame: 3 });
    a.client.updatePresence({ frame: 4 });
    network.restore();
    await until(() => seen.some((p) => p.frame === 4), 'the presence after the rejoin');
    expect(seen.at(-1)).toEqual({ participantId: a.client.participantId, frame: 4 });
    expect(seen.map((p) => p.frame)).not.toContain(3);
  });
});

describe('SDK: commands across dropped connections', () => {
  let sessionId: string;
  beforeAll(async () => {
    sessionId = await createSceneSession(rt.server.store, scene);
  });

  it('R8: a command issued while disconnected is delivered after the reconnect, exactly once', async () => {
    const watcher = await join(sessionId, 'watcher');
    const a = await join(sessionId, 'A', { url: network.url });
    network.cut();
    await until(() => a.client.state === 'reconnecting', 'A to notice the drop');
    const created = a.client.createObject({ name: 'typed offline' });
    const clicked = a.client.addPrompts({ frame: 3, points: [click(disc, 3)] });
    expect(a.client.pendingCommands).toBe(2);
    await new Promise((r) => setTimeout(r, 300)); // a few failed reconnection attempts
    expect(watcher.of('object:created')).toEqual([]);
    network.restore();
    const [obj, ack] = await Promise.all([created, clicked]);
    expect(obj.object.name).toBe('typed offline');
    expect(maskIoU(decodeMask(ack.mask.mask).mask, disc.masks[3]!)).toBeGreaterThan(0.9);
    expect(a.client.pendingCommands).toBe(0);
    await until(() => watcher.of('mask:updated').length === 1, 'the watcher to see the click');
    // Two objects: the one created offline, then the one the click made (no objectId given).
    expect(watcher.of('object:created').map((f) => f.object.id)).toEqual([obj.object.id, ack.objectId]);
    expect(a.states).toEqual(['connected', 'reconnecting', 'connected']);
    expect(watcher.of('mask:updated')[0]!.objectId).toBe(ack.objectId);
  });

  it('R8: a command whose ack was lost is re-sent with the same id, applied once, and answered with the first answer', async () => {
    const watcher = await join(sessionId, 'watcher2');
    const a = await join(sessionId, 'A', { url: network.url });
    blackholeOn = 'object:create';
    const created = a.client.createObject({ name: 'lost ack' });
    // The server did it (everyone else sees it), but A hears nothing back.
    await until(
      () => watcher.of('object:created').some((f) => f.object.name === 'lost ack'),
      'the object to exist',
    );
    expect(a.client.pendingCommands).toBe(1);
    network.cut();
    network.restore();
    const obj = await created;
    const seen = watcher.of('object:created').filter((f) => f.object.name === 'lost ack');
    expect(seen).toHaveLength(1);
    expect(obj.object).toEqual(seen[0]!.object);
    expect(obj.seq).toBe(seen[0]!.seq);
    // A missed the broadcast while its answers were swallowed; the rejoin's catch-up brings it, once.
    await until(() => a.of('object:created').length > 0, 'A to catch up');
    expect(a.of('object:created').map((f) => f.object.name)).toEqual(['lost ack']);
    const snap = (await join(sessionId, 'late')).client.snapshot;
    expect(snap.objects.filter((o) => o.name === 'lost ack')).toHaveLength(1);
  });
});

describe('SDK: failures', () => {
  let sessionId: string;
  beforeAll(async () => {
    sessionId = await createSceneSession(rt.server.store, scene);
  });

  async function rejection(p: Promise<unknown>): Promise<RotoError> {
    const err = await p.then(
      () => new Error('expected a rejection'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RotoError);
    return err as RotoError;
  }

  it('R6: a failure ack rejects with the code the server gave', async () => {
    const { client } = await join(sessionId, 'A');
    const outside = await rejection(
      client.addPrompts({ frame: FRAMES + 5, points: [{ x: 10, y: 10, label: 1 }] }),
    );
    expect(outside.code).toBe('INVALID_INPUT');
    expect(outside.message).toMatch(/frame/);
    expect((await rejection(client.deleteObject({ objectId: 4242 }))).code).toBe('NOT_FOUND');
    expect((await rejection(client.cancelJob({ jobId: 'no-such-job' }))).code).toBe('NOT_FOUND');
    const fresh = await join(sessionId, 'B');
    expect((await rejection(fresh.client.undo())).code).toBe('CONFLICT');
    // The client stays usable after failures.
    const ok = await client.createObject({ name: 'after failures' });
    expect(ok.object.name).toBe('after failures');
  });

  it('R6: a payload the contract refuses fails before it is sent, naming the field', async () => {
    const { client } = await join(sessionId, 'A');
    const tooMany = Array.from({ length: 65 }, () => ({ x: 1, y: 1, label: 1 as const }));
    const err = await rejection(client.addPrompts({ frame: 0, points: tooMany }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.details).toMatchObject({ issues: [{ path: 'points' }] });
    expect(client.pendingCommands).toBe(0);
  });

  it('R4: a viewer’s commands reject with FORBIDDEN', async () => {
    const viewer = await join(sessionId, 'V', { token: 'view-only' });
    expect(viewer.client.role).toBe('viewer');
    expect((await rejection(viewer.client.createObject({ name: 'nope' }))).code).toBe('FORBIDDEN');
  });

  it('R2: connecting to a session that does not exist rejects with NOT_FOUND', async () => {
    const err = await rejection(
      RotoClient.connect({ url: rt.server.url, sessionId: 'nosuchsession000', user: { name: 'X' } }),
    );
    expect(err.code).toBe('NOT_FOUND');
  });

  it('a sent command that gets no answer fails with TIMEOUT; the client recovers', async () => {
    const a = await join(sessionId, 'A', { url: network.url, commandTimeoutMs: 500 });
    network.blackhole();
    const err = await rejection(a.client.createObject({ name: 'unanswered' }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('object:create');
    expect(a.client.pendingCommands).toBe(0);
    network.cut();
    network.restore();
    await until(
      () => a.states.includes('reconnecting') && a.client.state === 'connected',
      'the drop and the rejoin',
    );
    expect((await a.client.createObject({ name: 'answered' })).object.name).toBe('answered');
  });

  it('the offline queue is bounded: past maxPendingCommands a command fails with BUSY, the queued ones still go', async () => {
    const a = await join(sessionId, 'A', { url: network.url, maxPendingCommands: 2 });
    network.cut();
    await until(() => a.client.state === 'reconnecting', 'the drop');
    const queued = [a.client.createObject({ name: 'q1' }), a.client.createObject({ name: 'q2' })];
    const err = await rejection(a.client.createObject({ name: 'q3' }));
    expect(err.code).toBe('BUSY');
    expect(err.details).toEqual({ limit: 2 });
    network.restore();
    expect((await Promise.all(queued)).map((r) => r.object.name)).toEqual(['q1', 'q2']);
  });

  it('close() fails unanswered commands with CANCELLED and goes offline', async () => {
    const a = await join(sessionId, 'A', { url: network.url });
    network.cut();
    await until(() => a.client.state === 'reconnecting', 'the drop');
    const pending = a.client.createObject({ name: 'never sent' });
    a.client.close();
    network.restore();
    expect((await rejection(pending)).code).toBe('CANCELLED');
    expect(a.client.state).toBe('offline');
    expect((await rejection(a.client.createObject({}))).code).toBe('CANCELLED');
  });
});
