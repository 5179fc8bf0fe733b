import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSessionExpiry } from '../src/ingest/expiry.ts';
import { IngestService } from '../src/ingest/ingest-service.ts';
import { ingestTempDir } from '../src/ingest/temp-files.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';
import { makeTempDir } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
let store: FileSessionStore;
let ingest: IngestService;
const logger = createLogger({ level: 'silent' });
const HOUR = 3600_000;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('roto-ingest-expiry-'));
  store = new FileSessionStore({ dataDir: dir });
  ingest = new IngestService({
    store,
    logger,
    tempDir: ingestTempDir(dir),
    maxUploadBytes: 10 * 1024 * 1024,
    maxFrameSide: 1280,
  });
});

afterAll(async () => {
  await ingest?.close();
  await store?.closeAll();
  await cleanup?.();
});

const png = () =>
  sharp({ create: { width: 16, height: 12, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();

describe('session expiry', () => {
  it('removes sessions idle longer than the TTL, keeps fresh ones, and publishes removed/expired', async () => {
    const old = await ingest.ingestImage(ingest.newSessionId(), await png(), { kind: 'image' });
    const fresh = await ingest.ingestImage(ingest.newSessionId(), await png(), { kind: 'image' });
    // Make `old` look idle for 73 hours: its log's mtime is its last activity.
    const past = new Date(Date.now() - 73 * HOUR);
    await utimes(join(dir, 'sessions', old.sessionId, 'ops.log'), past, past);
    // And leave a stale temp file, as a crash mid-upload would.
    await mkdir(ingestTempDir(dir), { recursive: true });
    const stale = join(ingestTempDir(dir), 'x-abandoned.part');
    await writeFile(stale, 'partial upload');
    await utimes(stale, past, past);

    const removed: string[] = [];
    const off = ingest.events.on('removed', (e) => removed.push(`${e.sessionId}:${e.reason}`));
    const expiry = startSessionExpiry({
      store,
      ttlMs: 72 * HOUR,
      intervalMs: 60_000,
      temp: ingest.temp,
      events: ingest.events,
      logger,
    });
    // The first pass starts at once; a second call joins it rather than running twice.
    await expiry.runOnce();
    await expiry.stop();
    off();

    const ids = (await store.list()).map((s) => s.id);
    expect(ids).toContain(fresh.sessionId);
    expect(ids).not.toContain(old.sessionId);
    expect(removed).toEqual([`${old.sessionId}:expired`]);
    expect(await ingest.temp.sweep(0)).toBe(0); // the stale temp file was already swept
  });
});
