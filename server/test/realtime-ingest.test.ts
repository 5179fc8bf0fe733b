/**
 * Joining a session whose video is still being decoded: the join answers with an `ingesting`
 * snapshot, commands are CONFLICT with a clear message, `ingest:progressed` facts arrive and then
 * `ingest:finished`, after which a rejoin gets the ready session. Real upload, real ffmpeg.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type JoinAck,
  type OwnedSessionCreated,
  type Result,
  SESSION_NOTICE_SCHEMAS,
  type SessionNoticeFact,
} from '@roto/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startServer, upload } from './http-sessions-harness.ts';
import { makeVideo } from './media-fixtures.ts';
import { Participant, tempDataDir } from './support/server-realtime.ts';

// Long enough that decoding is still running when the late joiner arrives.
const FRAMES = 480;

let server: Harness;
let removeDir: () => Promise<void>;
let video: Buffer;
/** The same video with its tail cut off: it probes fine (index up front) and fails mid-decode. */
let truncated: Buffer;
const clients: Participant[] = [];

beforeAll(async () => {
  const tmp = await tempDataDir();
  removeDir = tmp.remove;
  const path = join(tmp.dir, 'long.mp4');
  await makeVideo(path, { width: 640, height: 360, fps: 30, frames: FRAMES });
  video = await readFile(path);
  const fast = join(tmp.dir, 'fast.mp4');
  await makeVideo(fast, {
    width: 640,
    height: 360,
    fps: 30,
    frames: FRAMES,
    extra: ['-movflags', '+faststart'],
  });
  const whole = await readFile(fast);
  truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
  server = await startServer(join(tmp.dir, 'data'));
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
  await removeDir();
});

function noticesOf(p: Participant): SessionNoticeFact[] {
  const got: SessionNoticeFact[] = [];
  for (const type of Object.keys(SESSION_NOTICE_SCHEMAS))
    p.socket.on(type, (fact: SessionNoticeFact) => got.push(fact));
  return got;
}

describe('ingest in rooms', () => {
  it('R22: a late joiner of an ingesting session sees ingest progress and then ingest:finished', async () => {
    const res = await upload(server.base, video, 'long.mp4');
    expect(res.status).toBe(201);
    const created = (await res.json()) as OwnedSessionCreated;
    expect(created.status).toBe('ingesting');

    const late = new Participant(server.base);
    clients.push(late);
    const notices = noticesOf(late);
    const ack = await late.join(created.sessionId, { name: 'late' });
    expect(ack.snapshot.status).toBe('ingesting');
    expect(ack.snapshot.media).toMatchObject({ width: 640, height: 360, frameCount: FRAMES });
    expect(ack.snapshot.objects).toEqual([]);

    const refused = await late.request('object:create', { commandId: 'early', name: 'too soon' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!refused.ok) expect(refused.error.message).toMatch(/still being ingested/);

    await late.waitFor(() => notices.some((n) => n.type === 'ingest:finished'), 'ingest:finished');
    const progressed = notices.filter((n) => n.type === 'ingest:progressed');
    const finishedAt = notices.findIndex((n) => n.type === 'ingest:finished');
    console.log(`late joiner saw ${progressed.length} ingest:progressed before ingest:finished`);
    expect(progressed.length).toBeGreaterThan(0);
    expect(notices.findIndex((n) => n.type === 'ingest:progressed')).toBeLessThan(finishedAt);
    const decode = progressed.filter((n) => n.phase === 'decode');
    expect(decode.length).toBeGreaterThan(0);
    expect(decode.at(-1)!.total).toBe(FRAMES);
    expect(notices[finishedAt]).toMatchObject({
      type: 'ingest:finished',
      frames: { count: FRAMES, width: 640, height: 360 },
    });

    // Joining again gives the ready session, and commands work.
    const rejoined = (await late.request('session:join', {
      protocolVersion: 1,
      sessionId: created.sessionId,
      user: { name: 'late' },
    })) as Result<JoinAck>;
    expect(rejoined.ok && rejoined.data.snapshot.status).not.toBe('ingesting');
    const made = await late.command<{ object: { name: string } }>('object:create', { name: 'now' });
    expect(made.object.name).toBe('now');
  });

  it('R22: a joiner of an ingest that fails gets ingest:failed with the reason; a later join is CONFLICT', async () => {
    const res = await upload(server.base, truncated, 'cut.mp4');
    expect(res.status).toBe(201);
    const created = (await res.json()) as OwnedSessionCreated;
    const joiner = new Participant(server.base);
    clients.push(joiner);
    const notices = noticesOf(joiner);
    const ack = await joiner.join(created.sessionId, { name: 'hopeful' });
    expect(ack.snapshot.status).toBe('ingesting');
    await joiner.waitFor(() => notices.some((n) => n.type === 'ingest:failed'), 'ingest:failed');
    const failed = notices.find((n) => n.type === 'ingest:failed');
    expect(failed).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(notices.some((n) => n.type === 'ingest:finished')).toBe(false);
    const again = await joiner.request('session:join', {
      protocolVersion: 1,
      sessionId: created.sessionId,
      user: { name: 'hopeful' },
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });
});
