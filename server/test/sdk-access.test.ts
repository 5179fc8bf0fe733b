/**
 * The SDK when access ends (R20): a revoked or expired share link stops the client for good
 * (state `revoked`, a `revoked` event, unanswered commands rejected with UNAUTHORIZED) and it
 * never reconnects, which the server confirms by counting connections; a share link from
 * `POST /links` opens the session through `parseShareLink`. Real server on port 0, real engine on
 * the test pack, real sockets.
 */
import type { ShareLinkCreated } from '@roto/shared';
import {
  type AccessEnded,
  type ConnectionState,
  type ConnectOptions,
  decodeMask,
  parseShareLink,
  RotoClient,
  type RotoError,
} from '@roto/shared/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlakyNetwork } from './sdk-network.ts';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession } from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const scene = makeScene({ frames: 2 });
const disc = sceneObject(scene, SCENE_IDS.disc);

const rt = useRealtimeServer();
let sessionId: string;
let ownerToken: string;
/** Socket.IO connections the server has accepted, in total. */
let connections = 0;

beforeAll(async () => {
  rt.server.app.realtime!.io.on('connection', () => {
    connections += 1;
  });
  sessionId = await createSceneSession(rt.server.store, scene);
  ownerToken = rt.server.app.access!.links.ownerToken(sessionId);
});

async function createLink(role: 'editor' | 'viewer', expiresInSec?: number): Promise<ShareLinkCreated> {
  const res = await fetch(`${rt.server.url}/api/v1/sessions/${sessionId}/links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role, ...(expiresInSec !== undefined ? { expiresInSec } : {}) }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as ShareLinkCreated;
}

async function revoke(linkId: string): Promise<void> {
  const res = await fetch(`${rt.server.url}/api/v1/sessions/${sessionId}/links/${linkId}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${ownerToken}` },
  });
  expect(res.status).toBe(200);
}

/** A joined client that records its states, `revoked` events and errors. */
async function join(opts: Partial<ConnectOptions> & { token: string }) {
  const client = await RotoClient.connect({
    url: rt.server.url,
    sessionId,
    user: { name: 'holder' },
    reconnectionDelayMs: 50,
    reconnectionDelayMaxMs: 100,
    ...opts,
  });
  rt.clients.push(client);
  const states: ConnectionState[] = [client.state];
  const revoked: AccessEnded[] = [];
  const errors: RotoError[] = [];
  client.on('state', (s) => states.push(s));
  client.on('revoked', (r) => revoked.push(r));
  client.on('error', (e) => errors.push(e));
  return { client, states, revoked, errors };
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The rejection of a promise that must reject. */
async function rejection(p: Promise<unknown>): Promise<RotoError> {
  try {
    await p;
  } catch (err) {
    return err as RotoError;
  }
  throw new Error('expected a rejection');
}

describe('SDK: access ends', () => {
  it('R20: a revoked link ends the client: queued commands rejected with UNAUTHORIZED, state revoked, no reconnection', async () => {
    const link = await createLink('editor');
    // Paced to one event a second (the join took it), so the next commands wait in the queue.
    const { client, states, revoked, errors } = await join({
      token: link.token,
      rateLimit: { perSec: 1, burst: 1 },
    });
    expect(client.role).toBe('editor');
    const before = connections;
    const queued = [
      rejection(client.createObject({ name: 'never' })),
      rejection(
        client.addPrompts({
          frame: 0,
          points: [{ ...interiorPoint(disc.masks[0]!, scene.width), label: 1 }],
        }),
      ),
    ];
    expect(client.pendingCommands).toBe(2);
    await revoke(link.linkId);

    const [first, second] = await Promise.all(queued);
    for (const err of [first!, second!]) {
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.message).toBe('The owner revoked the link you joined with.');
      expect(err.details).toEqual({ reason: 'revoked', linkId: link.linkId });
    }
    expect(client.state).toBe('revoked');
    expect(states).toEqual(['connected', 'revoked']);
    expect(revoked).toEqual([
      {
        reason: 'revoked',
        linkId: link.linkId,
        message: 'The owner revoked the link you joined with.',
        error: first,
      },
    ]);
    expect(errors.map((e) => e.code)).toEqual(['UNAUTHORIZED']);
    // Later commands fail at once with the same error; nothing reaches the server again.
    expect((await rejection(client.undo())).code).toBe('UNAUTHORIZED');
    await sleep(1000);
    expect(connections).toBe(before);
    expect(states.at(-1)).toBe('revoked');
  });

  it('R20: a link revoked while the client was cut off: the rejoin is refused and the client ends revoked after one try', async () => {
    const network = await new FlakyNetwork(Number(new URL(rt.server.url).port)).listen();
    try {
      const link = await createLink('editor');
      const { client, states, revoked } = await join({ token: link.token, url: network.url });
      const before = connections;
      network.cut();
      await until(() => client.state === 'reconnecting', 'the client to notice the cut');
      const waiting = rejection(client.createObject({ name: 'typed offline' }));
      await revoke(link.linkId);
      network.restore();

      const err = await waiting;
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.details).toMatchObject({ reason: 'revoked' });
      expect(client.state).toBe('revoked');
      expect(states).toEqual(['connected', 'reconnecting', 'revoked']);
      // The link id comes from the token, since no notice could say it.
      expect(revoked).toMatchObject([{ reason: 'revoked', linkId: link.linkId }]);
      await sleep(1000);
      expect(connections).toBe(before + 1);
    } finally {
      await network.close();
    }
  });

  it('R20: a link that expires while joined ends the client with reason expired', async () => {
    const link = await createLink('viewer', 1);
    const { client, revoked } = await join({ token: link.token });
    expect(client.role).toBe('viewer');
    await until(() => revoked.length > 0, 'the expiry');
    expect(client.state).toBe('revoked');
    expect(revoked[0]).toMatchObject({
      reason: 'expired',
      linkId: link.linkId,
      message: 'The link you joined with has expired.',
    });
    expect(revoked[0]!.error.code).toBe('UNAUTHORIZED');
  });
});

describe('SDK: share links', () => {
  it('parseShareLink opens the session from the link POST /links returns, with the link’s role', async () => {
    const link = await createLink('editor');
    // This server has no PUBLIC_URL: its links are relative to it.
    expect(() => parseShareLink(link.url)).toThrow(/relative/);
    const parsed = parseShareLink(link.url, rt.server.url);
    expect(parsed).toEqual({ serverUrl: rt.server.url, sessionId, token: link.token });
    const client = await RotoClient.connect({
      url: parsed.serverUrl,
      sessionId: parsed.sessionId,
      token: parsed.token,
      user: { name: 'from a link' },
    });
    rt.clients.push(client);
    expect(client.role).toBe('editor');
    const ack = await client.addPrompts({
      frame: 0,
      points: [{ ...interiorPoint(disc.masks[0]!, scene.width), label: 1 }],
    });
    expect(maskIoU(decodeMask(ack.mask.mask).mask, disc.masks[0]!)).toBeGreaterThan(0.8);

    const viewer = parseShareLink(`http://roto.example/app${(await createLink('viewer')).url}`);
    expect(viewer.serverUrl).toBe('http://roto.example/app');
  });
});
