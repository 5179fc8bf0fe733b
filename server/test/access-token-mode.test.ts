/**
 * AUTH_MODE=token: every join and every read of a session needs a token of that session; only its
 * owner deletes it. Real server (no model needed), real Socket.IO clients, a real one-frame session.
 */
import type { OwnedSessionCreated, ShareLinkCreated } from '@roto/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, postJson, startServer } from './http-sessions-harness.ts';
import { Participant, tempDataDir } from './support/server-realtime.ts';

let server: Harness;
let removeDir: () => Promise<void>;
let created: OwnedSessionCreated;
let viewer: ShareLinkCreated;
const clients: Participant[] = [];

function client(): Participant {
  const c = new Participant(server.base);
  clients.push(c);
  return c;
}

function join(p: Participant, token?: string) {
  return p.request<{ role: string }>('session:join', {
    protocolVersion: 1,
    sessionId: created.sessionId,
    user: { name: 'someone' },
    ...(token ? { token } : {}),
  });
}

function get(path: string, token?: string): Promise<Response> {
  return fetch(`${server.base}/api/v1/sessions/${created.sessionId}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

beforeAll(async () => {
  const tmp = await tempDataDir();
  removeDir = tmp.remove;
  server = await startServer(tmp.dir, { AUTH_MODE: 'token' });
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  const res = await postJson(server.base, { image: png.toString('base64') });
  expect(res.status).toBe(201);
  created = (await res.json()) as OwnedSessionCreated;
  const link = await fetch(`${server.base}/api/v1/sessions/${created.sessionId}/links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${created.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'viewer', expiresInSec: 3600 }),
  });
  viewer = (await link.json()) as ShareLinkCreated;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
  await removeDir();
});

describe('AUTH_MODE=token', () => {
  it('R20: a join without a token is UNAUTHORIZED; the owner token edits, a viewer link watches', async () => {
    const p = client();
    await p.connected();
    expect(await join(p)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', details: { reason: 'missing' } },
    });
    expect(await join(p, created.ownerToken)).toMatchObject({ ok: true, data: { role: 'editor' } });
    const made = await p.command<{ object: { name: string } }>('object:create', { name: 'car' });
    expect(made.object.name).toBe('car');
    const v = client();
    await v.connected();
    expect(await join(v, viewer.token)).toMatchObject({ ok: true, data: { role: 'viewer' } });
    expect(await v.request('object:create', { commandId: 'v-1', name: 'no' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('R20: reading a session takes a token of it (header or ?token=), listing sessions does not', async () => {
    const none = await get('');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { code: string }).code).toBe('UNAUTHORIZED');
    expect((await get('', viewer.token)).status).toBe(200);
    const frame = await fetch(
      `${server.base}/api/v1/sessions/${created.sessionId}/frames/0?token=${encodeURIComponent(viewer.token)}`,
    );
    expect(frame.status).toBe(200);
    expect(frame.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(Buffer.from(await frame.arrayBuffer())).metadata()).width).toBe(40);
    expect((await get('/frames/0')).status).toBe(401);
    expect((await fetch(`${server.base}/api/v1/sessions`)).status).toBe(200);
  });

  it('R20: only the owner deletes the session; its participants are disconnected', async () => {
    const p = client();
    await p.connected();
    expect(await join(p, viewer.token)).toMatchObject({ ok: true });
    const del = (token?: string) =>
      fetch(`${server.base}/api/v1/sessions/${created.sessionId}`, {
        method: 'DELETE',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    expect((await del()).status).toBe(401);
    expect((await del(viewer.token)).status).toBe(403);
    const gone = new Promise<void>((resolve) => p.socket.once('disconnect', () => resolve()));
    expect((await del(created.ownerToken)).status).toBe(204);
    await gone;
    expect((await get('', created.ownerToken)).status).toBe(404);
  });
});
