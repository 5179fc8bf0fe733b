/**
 * The SDK in a session joined while its video is still being decoded (R22): the client reports
 * ingest progress, joins again by itself once ingest has finished (a `joined` event with the ready
 * snapshot), and a click issued meanwhile waits and then succeeds with the object's mask; a
 * failed ingest ends the client and rejects what waited; a command that waits longer than its
 * timeout fails with TIMEOUT. Real upload, real ffmpeg, real engine on the test pack.
 *
 * Ingest decodes one video at a time, so a long video uploaded first keeps the session under test
 * in `ingesting` while the client joins.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IngestProgressedFact, OwnedSessionCreated } from '@roto/shared';
import {
  type ConnectOptions,
  decodeMask,
  type JoinedInfo,
  RotoClient,
  type RotoError,
} from '@roto/shared/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { getMediaTools } from '../src/media/tools.ts';
import { upload } from './http-sessions-harness.ts';
import { makeVideo } from './media-fixtures.ts';
import { type RealtimeServer, startRealtimeServer, tempDataDir } from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';
import { writeSceneVideo } from './support/synthetic-video.ts';

const FRAMES = 24;
const scene = makeScene({ frames: FRAMES });
const disc = sceneObject(scene, SCENE_IDS.disc);

let engine: OnnxEngine;
let server: RealtimeServer;
let removeDir: () => Promise<void>;
/** A video long enough to keep the decoder busy for a few seconds. */
let blocker: Buffer;
let sceneVideo: Buffer;
const clients: RotoClient[] = [];

beforeAll(async () => {
  engine = createOnnxEngine({ pack: 'test-tiny' });
  const tmp = await tempDataDir();
  removeDir = tmp.remove;
  const longPath = join(tmp.dir, 'long.mp4');
  await makeVideo(longPath, { width: 640, height: 360, fps: 30, frames: 480 });
  blocker = await readFile(longPath);
  const scenePath = join(tmp.dir, 'scene.mp4');
  await writeSceneVideo(scene, scenePath, (await getMediaTools()).ffmpeg.path);
  sceneVideo = await readFile(scenePath);
  server = await startRealtimeServer(engine, join(tmp.dir, 'data'));
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.stop();
  await engine.close();
  await removeDir();
});

/** Uploads `bytes` and returns the new session, still ingesting. */
async function createSession(bytes: Uint8Array, name: string): Promise<string> {
  const res = await upload(server.url, bytes, name);
  expect(res.status).toBe(201);
  const created = (await res.json()) as OwnedSessionCreated;
  expect(created.status).toBe('ingesting');
  return created.sessionId;
}

/** A joined client with a log of what it reported, in order. */
async function joinSession(sessionId: string, opts: Partial<ConnectOptions> = {}) {
  const log: string[] = [];
  const progress: IngestProgressedFact[] = [];
  const joins: JoinedInfo[] = [];
  const client = await RotoClient.connect({ url: server.url, sessionId, user: { name: 'early' }, ...opts });
  clients.push(client);
  client.on('ingest:progressed', (f) => {
    progress.push(f);
    if (log.at(-1) !== 'progressed') log.push('progressed');
  });
  client.on('ingest:finished', () => log.push('finished'));
  client.on('ingest:failed', () => log.push('failed'));
  client.on('joined', (info) => {
    joins.push(info);
    log.push(`joined:${info.kind}:${info.snapshot.status ?? 'ready'}`);
  });
  return { client, log, progress, joins };
}

async function rejection(p: Promise<unknown>): Promise<RotoError> {
  try {
    await p;
  } catch (err) {
    return err as RotoError;
  }
  throw new Error('expected a rejection');
}

describe('SDK: sessions still being ingested', () => {
  it('R22: a client joined during ingest gets progress, then the ready snapshot by itself; a click issued meanwhile succeeds', async () => {
    await createSession(blocker, 'long.mp4');
    const sessionId = await createSession(sceneVideo, 'scene.mp4');
    const { client, log, progress, joins } = await joinSession(sessionId);
    expect(client.state).toBe('connected');
    expect(client.snapshot.status).toBe('ingesting');
    expect(client.ingesting).toBe(true);
    expect(client.snapshot.media).toMatchObject({
      width: scene.width,
      height: scene.height,
      frameCount: FRAMES,
    });

    const point = { ...interiorPoint(disc.masks[0]!, scene.width), label: 1 as const };
    const click = client.addPrompts({ frame: 0, points: [point] }).then((ack) => {
      log.push('clicked');
      return ack;
    });
    expect(client.pendingCommands).toBe(1);

    const ack = await click;
    expect(maskIoU(decodeMask(ack.mask.mask).mask, disc.masks[0]!)).toBeGreaterThan(0.8);
    console.log(`client saw ${progress.length} ingest:progressed; order: ${log.join(' → ')}`);
    expect(log).toEqual(['progressed', 'finished', 'joined:reset:ready', 'clicked']);
    expect(progress.some((p) => p.phase === 'decode' && p.done === FRAMES && p.total === FRAMES)).toBe(true);
    const ready = joins.at(-1)!;
    expect(ready.snapshot.status ?? 'ready').toBe('ready');
    expect(ready.snapshot.media.frameCount).toBe(FRAMES);
    expect(client.ingesting).toBe(false);
    expect(client.state).toBe('connected');
    // The object the click made is in the session a newcomer joins.
    const late = await joinSession(sessionId);
    expect(late.client.snapshot.objects.map((o) => o.id)).toEqual([ack.objectId]);
  });

  it('R22: a failed ingest ends the client: waiting commands rejected with CONFLICT and the reason; a wait past the timeout is TIMEOUT', async () => {
    const cut = sceneVideo.subarray(0, Math.floor(sceneVideo.length * 0.6));
    await createSession(blocker, 'long.mp4');
    const sessionId = await createSession(cut, 'cut.mp4');
    const hopeful = await joinSession(sessionId);
    const impatient = await joinSession(sessionId, { commandTimeoutMs: 300 });
    expect(hopeful.client.ingesting).toBe(true);

    const timedOut = await rejection(impatient.client.createObject({ name: 'now' }));
    expect(timedOut.code).toBe('TIMEOUT');
    expect(timedOut.details).toMatchObject({ event: 'object:create', reason: 'ingesting' });
    expect(impatient.client.state).toBe('connected');

    const err = await rejection(hopeful.client.createObject({ name: 'eventually' }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/could not be ingested/);
    expect(err.details).toMatchObject({ sessionId, ingestError: { code: 'INVALID_INPUT' } });
    expect(hopeful.log.at(-1)).toBe('failed');
    expect(hopeful.client.state).toBe('offline');
  });
});
