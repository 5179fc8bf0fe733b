/**
 * The edge of the realtime protocol: version check, payload validation, size cap, access seam.
 * Real server on port 0, real socket.io-client, real engine on the test pack.
 */
import { randomUUID } from 'node:crypto';
import { INGEST_RECORD_TYPES, MAX_COMMAND_BYTES, PROTOCOL_VERSION, RotoError } from '@roto/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEngine } from '../src/inference/onnx-engine.ts';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import {
  createSceneSession,
  Participant,
  startRealtimeServer,
  tempDataDir,
} from './support/server-realtime.ts';
import { makeScene } from './support/synthetic.ts';

const rt = useRealtimeServer({
  realtime: {
    // Tokens "viewer-…" join as viewers, "bad" is refused: the seam access control plugs into.
    authorize: (_id, token) => {
      if (token === 'bad') throw new RotoError('UNAUTHORIZED', 'This link is not valid');
      return token?.startsWith('viewer') ? 'viewer' : 'editor';
    },
    // A connection that says it floods is limited after 3 events: the seam rate limits plug into.
    beforeEvent: (socket) => {
      if (!socket.handshake.auth.flood) return;
      const n = ((socket.data as { events?: number }).events ?? 0) + 1;
      (socket.data as { events?: number }).events = n;
      if (n > 3) throw new RotoError('RATE_LIMITED', 'Too many commands; slow down');
    },
  },
});
const client = () => rt.participant();
let sessionId: string;

beforeAll(async () => {
  sessionId = await createSceneSession(rt.server.store, makeScene({ frames: 4 }));
});

describe('session:join', () => {
  it('R1: a join with another protocol version is refused with PROTOCOL_MISMATCH', async () => {
    const c = client();
    const res = await c.request('session:join', {
      protocolVersion: PROTOCOL_VERSION + 1,
      sessionId,
      user: { name: 'a' },
    });
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'PROTOCOL_MISMATCH', details: { received: PROTOCOL_VERSION + 1 } },
    });
    const none = await c.request('session:join', { sessionId, user: { name: 'a' } });
    expect(none).toMatchObject({ ok: false, error: { code: 'PROTOCOL_MISMATCH' } });
  });

  it('R2: a join of a session that does not exist is NOT_FOUND', async () => {
    const res = await client().request('session:join', {
      protocolVersion: PROTOCOL_VERSION,
      sessionId: 'nosuchsession',
      user: { name: 'a' },
    });
    expect(res).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('R2: a join of a session still being ingested is CONFLICT, saying so', async () => {
    const id = 'ingesting0001';
    await rt.server.store.create(id);
    await rt.server.store.append(id, {
      type: INGEST_RECORD_TYPES.created,
      payload: { source: { kind: 'upload' } },
    });
    const res = await client().request('session:join', {
      protocolVersion: PROTOCOL_VERSION,
      sessionId: id,
      user: { name: 'a' },
    });
    expect(res).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((res as { error: { message: string } }).error.message).toContain('still being ingested');
  });

  it('R3: the join answers with the snapshot: media, objects, masks, participants, seq', async () => {
    const c = client();
    const ack = await c.join(sessionId, { name: 'Ada' });
    expect(ack.snapshot.media).toMatchObject({ width: 320, height: 240, frameCount: 4 });
    expect(ack.snapshot.participants.map((p) => p.user.name)).toContain('Ada');
    expect(ack.role).toBe('editor');
    expect(ack.snapshot.seq).toBeGreaterThan(0);
  });

  it('R4: the injected authorize decides the role; a refused token fails the join with its code', async () => {
    const bad = await client().request('session:join', {
      protocolVersion: PROTOCOL_VERSION,
      sessionId,
      token: 'bad',
      user: { name: 'x' },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'This link is not valid' },
    });
    const viewer = client();
    const ack = await viewer.join(sessionId, { token: 'viewer-1', name: 'Vic' });
    expect(ack.role).toBe('viewer');
    const res = await viewer.request('object:create', { commandId: randomUUID() });
    expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('commands at the edge', () => {
  it('R5: a command before joining is UNAUTHORIZED', async () => {
    const res = await client().request('object:create', { commandId: randomUUID() });
    expect(res).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('R6: a malformed payload is INVALID_INPUT naming the field, and the connection stays usable', async () => {
    const c = client();
    await c.join(sessionId);
    const noId = await c.request('object:create', { name: 'x' });
    expect(noId).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((noId as { error: { message: string } }).error.message).toContain('commandId');
    const badPoint = await c.request('prompt:add', {
      commandId: randomUUID(),
      frame: 0,
      points: [{ x: 'left', y: 3, label: 1 }],
    });
    expect(badPoint).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', details: { issues: [{ path: 'points[0].x' }] } },
    });
    for (const junk of [null, 42, 'text', [1, 2]]) {
      expect(await c.request('prompt:add', junk)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    }
    const outside = await c.request('prompt:add', {
      commandId: randomUUID(),
      frame: 0,
      points: [{ x: 999, y: 3, label: 1 }],
    });
    expect(outside).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', details: { path: 'points[0]' } },
    });
    const noFrame = await c.request('prompt:add', {
      commandId: randomUUID(),
      frame: 4,
      points: [{ x: 9, y: 3, label: 1 }],
    });
    expect(noFrame).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', details: { frame: 4 } } });
    const noObject = await c.request('object:update', { commandId: randomUUID(), objectId: 77, name: 'x' });
    expect(noObject).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', details: { objectId: 77 } } });
    const unknown = await c.request('mask:paint', { commandId: randomUUID() });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await c.command('object:create', { name: 'still here' })).toMatchObject({
      object: { name: 'still here' },
    });
  });

  it('R7: a payload over the command cap is PAYLOAD_TOO_LARGE', async () => {
    const c = client();
    await c.join(sessionId);
    const res = await c.request('object:create', {
      commandId: randomUUID(),
      name: 'x'.repeat(MAX_COMMAND_BYTES + 10),
    });
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'PAYLOAD_TOO_LARGE', details: { limit: MAX_COMMAND_BYTES } },
    });
  });

  it('R4: a per-connection limit plugged in through beforeEvent answers RATE_LIMITED', async () => {
    const c = new Participant(rt.server.url, { flood: true });
    rt.clients.push(c);
    await c.join(sessionId);
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push(await c.request('object:update', { commandId: randomUUID(), objectId: 999 }));
    expect(results.slice(0, 3).map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
    ]);
    expect(results[3]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });

  it('R8: a retried command (same commandId) is answered from the first run and applied once', async () => {
    const c = client();
    const ack = await c.join(sessionId);
    const before = ack.snapshot.objects.length;
    const payload = { commandId: randomUUID(), name: 'once' };
    const [a, b] = await Promise.all([
      c.request('object:create', payload),
      c.request('object:create', payload),
    ]);
    const again = await c.request('object:create', payload);
    expect(a).toEqual(b);
    expect(again).toEqual(a);
    const other = client();
    const snap = (await other.join(sessionId)).snapshot;
    expect(snap.objects.length).toBe(before + 1);
  });
});

describe('without a model', () => {
  it('R6: a click when the model pack is missing is MODEL_UNAVAILABLE, and edits that need no model still work', async () => {
    const noModel = createOnnxEngine({ pack: 'no-such-pack' });
    const tmp = await tempDataDir();
    const other = await startRealtimeServer(noModel, tmp.dir);
    try {
      const id = await createSceneSession(other.store, makeScene({ frames: 2 }));
      const c = new Participant(other.url);
      rt.clients.push(c);
      await c.join(id);
      const res = await c.request('prompt:add', {
        commandId: randomUUID(),
        frame: 0,
        points: [{ x: 10, y: 10, label: 1 }],
      });
      expect(res).toMatchObject({ ok: false, error: { code: 'MODEL_UNAVAILABLE' } });
      expect(await c.command('object:create', { name: 'no model needed' })).toMatchObject({
        object: { id: 1 },
      });
    } finally {
      await other.stop();
      await noModel.close();
      await tmp.remove();
    }
  });
});
