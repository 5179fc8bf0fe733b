/**
 * Share links over the real server (AUTH_MODE=open, the default): owner token, viewer and editor
 * links, revocation cutting holders off, expired and forged tokens, and links surviving a restart.
 * Real Socket.IO clients, real engine on the test pack, real op log.
 */
import {
  type PromptAddAck,
  type Result,
  SESSION_NOTICE_SCHEMAS,
  type SessionNoticeFact,
  type ShareLink,
  type ShareLinkCreated,
} from '@roto/shared';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenSigner } from '../src/access/tokens.ts';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession, type Participant } from './support/server-realtime.ts';
import { interiorPoint, makeScene, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const scene = makeScene({ frames: 3 });
const disc = sceneObject(scene, SCENE_IDS.disc);

const rt = useRealtimeServer();
const client = () => rt.participant();
let sessionId: string;
let ownerToken: string;

/** Records the session notices (`access:revoked`, `ingest:*`) a participant receives. */
function noticesOf(p: Participant): SessionNoticeFact[] {
  const got: SessionNoticeFact[] = [];
  for (const type of Object.keys(SESSION_NOTICE_SCHEMAS))
    p.socket.on(type, (fact: SessionNoticeFact) => got.push(fact));
  return got;
}

async function api(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${rt.server.url}/api/v1/sessions/${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function createLink(role: 'editor' | 'viewer', expiresInSec?: number): Promise<ShareLinkCreated> {
  const res = await api('POST', `${sessionId}/links`, ownerToken, {
    role,
    ...(expiresInSec !== undefined ? { expiresInSec } : {}),
  });
  expect(res.status).toBe(201);
  return res.body as unknown as ShareLinkCreated;
}

async function joinResult(p: Participant, token: string | undefined): Promise<Result<{ role: string }>> {
  return p.request('session:join', {
    protocolVersion: 1,
    sessionId,
    user: { name: 'joiner' },
    ...(token !== undefined ? { token } : {}),
  });
}

beforeAll(async () => {
  sessionId = await createSceneSession(rt.server.store, scene);
  // The same owner token POST /api/v1/sessions returns for sessions it makes (checked below).
  ownerToken = rt.server.app.access!.links.ownerToken(sessionId);
});

describe('owner token and links', () => {
  it('POST /api/v1/sessions answers with an ownerToken that manages the new session’s links', async () => {
    const png = await sharp({
      create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 30, b: 30 } },
    })
      .png()
      .toBuffer();
    const res = await fetch(`${rt.server.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: png.toString('base64') }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { sessionId: string; ownerToken: string; status: string };
    expect(created.ownerToken).toEqual(expect.any(String));
    const link = await fetch(`${rt.server.url}/api/v1/sessions/${created.sessionId}/links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'viewer' }),
    });
    expect(link.status).toBe(201);
    // The owner token of one session manages no other.
    const other = await api('GET', `${sessionId}/links`, created.ownerToken);
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('FORBIDDEN');
  });

  it('links are owner-only: no token is UNAUTHORIZED, a viewer’s or editor’s token FORBIDDEN', async () => {
    const viewer = await createLink('viewer');
    const none = await api('POST', `${sessionId}/links`, undefined, { role: 'editor' });
    expect([none.status, none.body.code]).toEqual([401, 'UNAUTHORIZED']);
    const byViewer = await api('POST', `${sessionId}/links`, viewer.token, { role: 'editor' });
    expect([byViewer.status, byViewer.body.code]).toEqual([403, 'FORBIDDEN']);
    const badBody = await api('POST', `${sessionId}/links`, ownerToken, { role: 'admin' });
    expect([badBody.status, badBody.body.code]).toEqual([400, 'INVALID_INPUT']);
    expect(viewer.url).toBe(`/s/${sessionId}#token=${viewer.token}`);
    const list = await api('GET', `${sessionId}/links`, ownerToken);
    expect((list.body.links as ShareLink[]).map((l) => l.linkId)).toContain(viewer.linkId);
  });
});

describe('roles', () => {
  it('R4: a viewer is refused (FORBIDDEN) and still receives B’s masks', async () => {
    const link = await createLink('viewer');
    const viewer = client();
    const b = client();
    const ack = await viewer.join(sessionId, { name: 'V', token: link.token });
    expect(ack.role).toBe('viewer');
    await b.join(sessionId, { name: 'B' });
    const point = { ...interiorPoint(disc.masks[0]!, scene.width), label: 1 };
    const refused = await viewer.request('prompt:add', { commandId: 'v-1', frame: 0, points: [point] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const clicked = await b.command<PromptAddAck>('prompt:add', { frame: 0, points: [point] });
    await viewer.waitFor(
      (p) => p.of('mask:updated').some((m) => m.seq === clicked.seq),
      'the viewer to get B’s mask',
    );
    const seen = viewer.of('mask:updated').find((m) => m.seq === clicked.seq)!;
    expect(Buffer.from(seen.mask).equals(Buffer.from(clicked.mask.mask))).toBe(true);
    // Viewers still read: masks:fetch answers.
    expect(await viewer.request('masks:fetch', {})).toMatchObject({ ok: true });
  });

  it('R20: revoking a link disconnects its holder within 1 s, with access:revoked first', async () => {
    const link = await createLink('editor');
    const holder = client();
    const bystander = client();
    const notices = noticesOf(holder);
    expect((await holder.join(sessionId, { name: 'E', token: link.token })).role).toBe('editor');
    await bystander.join(sessionId, { name: 'B' });
    const disconnected = new Promise<number>((resolve) =>
      holder.socket.once('disconnect', () => resolve(performance.now())),
    );
    const started = performance.now();
    const res = await api('DELETE', `${sessionId}/links/${link.linkId}`, ownerToken);
    expect(res.status).toBe(200);
    expect(res.body.revokedAt).toEqual(expect.any(String));
    const elapsedMs = (await disconnected) - started;
    console.log(`revocation → holder disconnected in ${elapsedMs.toFixed(1)} ms`);
    expect(elapsedMs).toBeLessThan(3000);
    expect(notices).toEqual([
      expect.objectContaining({ type: 'access:revoked', linkId: link.linkId, reason: 'revoked' }),
    ]);
    expect(bystander.socket.connected).toBe(true);
    // The link no longer opens the session, over Socket.IO or REST.
    const again = client();
    await again.connected();
    expect(await joinResult(again, link.token)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', details: { reason: 'revoked' } },
    });
    expect((await api('GET', sessionId, link.token)).status).toBe(401);
    // Durable in the session's op log.
    const { records } = await rt.server.store.load(sessionId);
    expect(records.some((r) => r.type === 'access:link-revoked')).toBe(true);
  });

  it('R20: a holder whose link expires while connected gets access:revoked (expired) and is disconnected', async () => {
    const link = await createLink('viewer', 1);
    const holder = client();
    const notices = noticesOf(holder);
    const gone = new Promise<void>((resolve) => holder.socket.once('disconnect', () => resolve()));
    await holder.join(sessionId, { name: 'brief', token: link.token });
    await gone;
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(link.expiresAt!));
    expect(notices).toEqual([
      expect.objectContaining({ type: 'access:revoked', linkId: link.linkId, reason: 'expired' }),
    ]);
  });

  it('R20: expired and forged tokens are refused with UNAUTHORIZED', async () => {
    const short = await createLink('editor', 1);
    while (Date.now() <= Date.parse(short.expiresAt!)) await new Promise((r) => setTimeout(r, 100));
    const p = client();
    await p.connected();
    expect(await joinResult(p, short.token)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', details: { reason: 'expired' } },
    });
    // A viewer link with its role edited to editor: the signature no longer matches.
    const viewer = await createLink('viewer');
    const [payload, signature] = viewer.token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const raised = `${Buffer.from(JSON.stringify({ ...claims, role: 'editor' })).toString('base64url')}.${signature}`;
    expect(await joinResult(p, raised)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', details: { reason: 'signature' } },
    });
    // An owner token signed with another key.
    const foreign = new TokenSigner('f'.repeat(32)).sign({
      sid: sessionId,
      role: 'owner',
      linkId: 'owner',
      exp: null,
    });
    expect(await joinResult(p, foreign)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect((await api('GET', `${sessionId}/links`, foreign)).status).toBe(401);
    expect(await joinResult(p, 'not-a-token')).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    // Open mode: no token at all is an editor.
    expect(await joinResult(p, undefined)).toMatchObject({ ok: true, data: { role: 'editor' } });
  });

  it('R20: links and revocations survive a restart (the secret is kept in DATA_DIR)', async () => {
    const kept = await createLink('viewer');
    const dropped = await createLink('editor');
    expect((await api('DELETE', `${sessionId}/links/${dropped.linkId}`, ownerToken)).status).toBe(200);
    for (const c of rt.clients.splice(0)) c.close();
    await rt.restart();
    const p = client();
    await p.connected();
    expect(await joinResult(p, kept.token)).toMatchObject({ ok: true, data: { role: 'viewer' } });
    expect(await joinResult(p, dropped.token)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', details: { reason: 'revoked' } },
    });
    const list = (await api('GET', `${sessionId}/links`, ownerToken)).body.links as ShareLink[];
    expect(list.find((l) => l.linkId === dropped.linkId)?.revokedAt).toEqual(expect.any(String));
    expect(list.find((l) => l.linkId === kept.linkId)?.revokedAt).toBeUndefined();
  });
});
