import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestService } from '../src/ingest/ingest-service.ts';
import { readMeta, writeMeta } from '../src/ingest/session-meta.ts';
import { metaOrNull } from '../src/ingest/session-views.ts';
import { ingestTempDir } from '../src/ingest/temp-files.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';
import { makeTempDir, makeVideo } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
const logger = createLogger({ level: 'silent' });
const opened: Array<{ store: FileSessionStore; ingest: IngestService }> = [];

/** One server process's worth of ingest: a store and a service on the shared data dir. */
function boot() {
  const store = new FileSessionStore({ dataDir: dir });
  const ingest = new IngestService({
    store,
    logger,
    tempDir: ingestTempDir(dir),
    maxUploadBytes: 1e8,
    maxFrameSide: 1280,
  });
  opened.push({ store, ingest });
  return { store, ingest };
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('roto-ingest-restart-'));
  await makeVideo(join(dir, 'long.mp4'), { width: 320, height: 240, fps: 25, frames: 200 });
});

afterAll(async () => {
  for (const { store, ingest } of opened) {
    await ingest.close();
    await store.closeAll();
  }
  await cleanup?.();
});

describe('a restart in the middle of ingest', () => {
  it('decodes the video again from the kept source, ending ready with every frame', async () => {
    const first = boot();
    const upload = await first.ingest.temp.newPath('upload');
    await copyFile(join(dir, 'long.mp4'), upload);
    const { sessionId, status } = await first.ingest.ingestFile(first.ingest.newSessionId(), upload, {
      kind: 'upload',
    });
    expect(status).toBe('ingesting');
    // Shutdown while decoding: the session stays "ingesting", partial frames are dropped.
    await first.ingest.close();
    await first.store.closeAll();
    expect((await readMeta(first.store.blobs, sessionId)).status).toBe('ingesting');
    const kept = (await first.store.blobs.list(sessionId)).map((f) => f.name);
    expect(kept.filter((name) => name.startsWith('frames/'))).toEqual([]);
    expect(kept).toContain('source/original.mp4');

    const second = boot();
    const finished: string[] = [];
    second.ingest.events.on('finished', (e) => finished.push(e.sessionId));
    const outcome = await second.ingest.resumeInterrupted((id) => metaOrNull(second.store, id));
    expect(outcome).toEqual({ resumed: [sessionId], failed: [] });
    await second.ingest.settled(sessionId);
    const meta = await readMeta(second.store.blobs, sessionId);
    expect(meta).toMatchObject({ status: 'ready', frames: { count: 200, width: 320, height: 240 } });
    expect(finished).toEqual([sessionId]);
    const frames = (await second.store.blobs.list(sessionId, 'frames')).length;
    expect(frames).toBe(200);
    const { records } = await second.store.load(sessionId);
    expect(records.map((r) => r.type)).toEqual(['session:created', 'ingested']);
    const last = await readFile(join(dir, 'sessions', sessionId, 'blobs', 'frames', '00199.jpg'));
    expect((await sharp(last).metadata()).width).toBe(320);
  });

  it('marks a session failed, saying why, when there is no source to resume from', async () => {
    const { store, ingest } = boot();
    const png = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const done = await ingest.ingestImage(ingest.newSessionId(), png, { kind: 'image' });
    // What an older process could leave: "ingesting" and no source copy.
    await writeMeta(store.blobs, done.sessionId, {
      ...(await readMeta(store.blobs, done.sessionId)),
      status: 'ingesting',
    });

    const outcome = await ingest.resumeInterrupted((id) => metaOrNull(store, id));
    expect(outcome.failed).toEqual([done.sessionId]);
    const after = await readMeta(store.blobs, done.sessionId);
    expect(after).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
    expect(after.error?.message).toMatch(/server restarted .* upload it again/);
    expect(await store.blobs.list(done.sessionId)).toEqual([
      { name: 'ingest.json', bytes: expect.any(Number) },
    ]);
  });
});
