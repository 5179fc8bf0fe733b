import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRotoError } from '@roto/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countingDurability } from '../src/storage/durability.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';
import type { LogRecord } from '../src/storage/record-codec.ts';
import { maskBytes, recordingLogger, tempDir } from './storage-helpers.ts';

let dataDir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: dataDir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

/** A toy version of the session state the session layer keeps: objects with names and masks. */
interface State {
  objects: Record<string, { name: string; maskHex?: string; prompts: number }>;
}

function apply(state: State, record: Pick<LogRecord, 'type' | 'payload' | 'attachment'>): State {
  const p = record.payload as { id: string; name?: string };
  const objects = { ...state.objects };
  switch (record.type) {
    case 'object:create':
      objects[p.id] = { name: p.name ?? '', prompts: 0 };
      break;
    case 'object:rename':
      objects[p.id] = { ...objects[p.id]!, name: p.name ?? '' };
      break;
    case 'object:delete':
      delete objects[p.id];
      break;
    case 'prompt:add': {
      const object = objects[p.id]!;
      objects[p.id] = { ...object, prompts: object.prompts + 1 };
      break;
    }
    case 'mask:computed':
      objects[p.id] = { ...objects[p.id]!, maskHex: Buffer.from(record.attachment!).toString('hex') };
      break;
  }
  return { objects };
}

/** A scripted editing session: creates, renames, clicks, masks and deletes across 5 objects. */
function commands(from: number, to: number) {
  const list = [];
  for (let n = from; n < to; n++) {
    const id = `obj-${Math.floor(n / 8) % 5}`;
    const step = n % 8;
    if (step === 0) list.push({ type: 'object:create', payload: { id, name: `object ${n}` } });
    else if (step === 3) list.push({ type: 'object:rename', payload: { id, name: `renamed ${n}` } });
    else if (step === 7 && n % 16 === 7) list.push({ type: 'object:delete', payload: { id } });
    else if (step % 2 === 0) list.push({ type: 'mask:computed', payload: { id }, attachment: maskBytes(n) });
    else list.push({ type: 'prompt:add', payload: { id, x: n, y: n } });
  }
  return list;
}

const EMPTY: State = { objects: {} };

describe('FileSessionStore', () => {
  it('snapshot + compaction + reload gives the same state as replaying every command', async () => {
    const store = new FileSessionStore({ dataDir });
    await store.create('s1');
    const all = commands(0, 120);
    for (const command of all.slice(0, 80)) await store.append('s1', command);
    // The session layer snapshots its state at seq 80...
    const at80 = all.slice(0, 80).reduce(apply, EMPTY);
    const stateBytes = Buffer.from(JSON.stringify(at80));
    await store.snapshot('s1', { payload: { version: 1 }, attachment: stateBytes }, 80);
    // ...and keeps working.
    for (const command of all.slice(80)) await store.append('s1', command);
    await store.close('s1');

    const files = await readdir(join(dataDir, 'sessions', 's1'));
    expect(files.filter((f) => f.startsWith('snapshot-'))).toEqual(['snapshot-80.bin']);

    const reopened = new FileSessionStore({ dataDir });
    const loaded = await reopened.load('s1');
    expect(loaded.snapshot?.seq).toBe(80);
    expect(loaded.records.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => 81 + i));
    expect(loaded.lastSeq).toBe(120);
    const restored = JSON.parse(Buffer.from(loaded.snapshot!.attachment!).toString()) as State;
    expect(loaded.records.reduce(apply, restored)).toEqual(all.reduce(apply, EMPTY));
    // Records before the snapshot are gone from the log: a reader that far behind needs the state.
    expect(await reopened.readSince('s1', 50)).toEqual({ status: 'compacted', baseSeq: 80 });
    const since100 = await reopened.readSince('s1', 100);
    expect(since100.status === 'ok' && since100.records.length).toBe(20);
    // Seqs continue after the compaction point.
    expect((await reopened.append('s1', { type: 'prompt:add', payload: { id: 'obj-0' } })).seq).toBe(121);
    await reopened.closeAll();
  });

  it('a snapshot of everything leaves an empty log that still continues the seqs after restart', async () => {
    const store = new FileSessionStore({ dataDir });
    await store.create('s2');
    for (const command of commands(0, 30)) await store.append('s2', command);
    await store.snapshot('s2', { payload: commands(0, 30).reduce(apply, EMPTY) }, 30);
    await store.close('s2');
    const loader = new FileSessionStore({ dataDir });
    const loaded = await loader.load('s2');
    await loader.closeAll();
    expect(loaded).toMatchObject({ snapshot: { seq: 30 }, records: [], lastSeq: 30 });
    expect(loaded.snapshot!.payload).toEqual(commands(0, 30).reduce(apply, EMPTY));
    const again = new FileSessionStore({ dataDir });
    expect((await again.append('s2', { type: 'prompt:add', payload: { id: 'obj-0' } })).seq).toBe(31);
    await again.closeAll();
  });

  it('a snapshot waits for its seq to be durable and is written with fsync + rename + dir fsync', async () => {
    const durability = countingDurability();
    const store = new FileSessionStore({ dataDir, durability });
    await store.create('s3');
    const acks = commands(0, 10).map((command) => store.append('s3', command));
    // Not awaited: snapshot(10) must itself wait for the batch holding seq 10.
    await store.snapshot('s3', { payload: { n: 10 } }, 10);
    const dirSyncsBefore = durability.counts.dirSyncs;
    await Promise.all(acks);
    expect(dirSyncsBefore).toBeGreaterThanOrEqual(3); // create, snapshot rename, compaction rename
    expect((await store.load('s3')).snapshot?.seq).toBe(10);
    await expect(store.snapshot('s3', { payload: {} }, 11)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await store.append('s3', { type: 'prompt:add', payload: { id: 'obj-0' } });
    await store.snapshot('s3', { payload: {} }, 11);
    await expect(store.snapshot('s3', { payload: {} }, 5)).rejects.toMatchObject({ code: 'CONFLICT' });
    await store.closeAll();
  });

  it('a damaged snapshot the log still covers is skipped with a warning; one it does not is an error', async () => {
    const logger = recordingLogger();
    const store = new FileSessionStore({ dataDir, logger });
    await store.create('s4');
    for (const command of commands(0, 10)) await store.append('s4', command);
    await store.close('s4');
    // As after a crash between writing a snapshot and compacting, with the snapshot damaged.
    const path = join(dataDir, 'sessions', 's4', 'snapshot-10.bin');
    await writeFile(path, 'ROTOSNP1 but nothing valid after it');
    const fallback = new FileSessionStore({ dataDir, logger });
    const loaded = await fallback.load('s4');
    expect(loaded.snapshot).toBeNull();
    expect(loaded.records.reduce(apply, EMPTY)).toEqual(commands(0, 10).reduce(apply, EMPTY));
    expect(logger.warnings.map((w) => w.message)).toEqual([
      'session s4: snapshot 10 is damaged, trying an older one',
    ]);

    await fallback.snapshot('s4', { payload: { at: 10 } }, 10);
    await fallback.close('s4');
    const bytes = await readFile(path);
    bytes[bytes.length - 2]! ^= 0xff;
    await writeFile(path, bytes);
    // The records up to 10 were compacted away: without the snapshot the session cannot load.
    const broken = new FileSessionStore({ dataDir, logger });
    await expect(broken.load('s4')).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'session s4: records up to seq 10 were compacted into a snapshot that is missing or damaged',
    });
    await broken.closeAll();
  });

  it('racing opens of a cold session share one log', async () => {
    const store = new FileSessionStore({ dataDir });
    await store.create('s5');
    const [a, b] = await Promise.all([store.open('s5'), store.open('s5')]);
    expect(a.lastSeq).toBe(0);
    const seqs = await Promise.all(commands(0, 20).map((command) => store.append('s5', command)));
    expect(new Set(seqs.map((ack) => ack.seq)).size).toBe(20);
    expect(b.recovery.truncatedBytes).toBe(0);
    await store.closeAll();
  });

  it('answers bad ids, unknown sessions and duplicates with precise codes', async () => {
    const store = new FileSessionStore({ dataDir });
    await expect(store.create('../etc')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.append('a/b', { type: 'x', payload: 1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(store.open('missing')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'session missing does not exist',
    });
    await expect(store.append('missing', { type: 'x', payload: 1 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(store.remove('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.diskUsage('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await store.create('dup');
    const duplicate = await store.create('dup').catch((err: unknown) => err);
    // A RotoError, so the HTTP and socket edges send its code and message unchanged.
    expect(isRotoError(duplicate) && duplicate.code).toBe('CONFLICT');
    expect((duplicate as Error).message).toBe('session dup already exists');
    expect(await store.list()).toEqual([{ id: 'dup', lastActivityMs: expect.any(Number), open: false }]);
  });

  it('keeps derived artifacts in a blob area and reports disk usage per kind', async () => {
    const store = new FileSessionStore({ dataDir });
    await store.create('s6');
    await store.append('s6', {
      type: 'mask:computed',
      payload: { id: 'a' },
      attachment: new Uint8Array(5000),
    });
    await store.snapshot('s6', { payload: {}, attachment: new Uint8Array(3000) }, 1);
    const frame = maskBytes(7, 10_000);
    await store.blobs.write('s6', 'frames/000001.jpg', frame);
    await store.blobs.write('s6', 'frames/000002.jpg', frame);
    const exportPath = await store.blobs.prepare('s6', 'exports/out.mp4');
    await writeFile(exportPath, new Uint8Array(2500));
    expect(Buffer.from(await store.blobs.read('s6', 'frames/000002.jpg')).equals(frame)).toBe(true);
    expect(await store.blobs.list('s6', 'frames')).toEqual([
      { name: 'frames/000001.jpg', bytes: 10_000 },
      { name: 'frames/000002.jpg', bytes: 10_000 },
    ]);
    const usage = await store.diskUsage('s6');
    expect(usage.blobBytes).toBe(22_500);
    expect(usage.snapshotBytes).toBeGreaterThan(3000);
    expect(usage.logBytes).toBeLessThan(100); // the 5 KB record was compacted into the snapshot
    expect(usage.totalBytes).toBe(usage.blobBytes + usage.snapshotBytes + usage.logBytes);
    await expect(store.blobs.read('s6', 'frames/nope.jpg')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.blobs.write('s6', '../escape', frame)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(store.blobs.write('nope', 'a.bin', frame)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await store.blobs.remove('s6', 'frames');
    expect((await store.diskUsage('s6')).blobBytes).toBe(2500);
    await store.closeAll();
  });

  it('cleanupExpired removes idle closed sessions and never an open one', async () => {
    const store = new FileSessionStore({ dataDir, expireAfterMs: 60_000 });
    for (const id of ['idle', 'busy', 'fresh']) await store.create(id);
    await store.append('idle', { type: 'prompt:add', payload: {} });
    await store.close('idle');
    await store.open('busy');
    const inTwoMinutes = Date.now() + 120_000;
    // Default age (60 s): seen from two minutes ahead, idle and fresh are both old; busy is open.
    expect(await store.cleanupExpired(undefined, inTwoMinutes)).toEqual(['fresh', 'idle']);
    expect((await store.list()).map((s) => s.id)).toEqual(['busy']);
    await expect(store.open('idle')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A longer age keeps it; after close, the same age from far ahead removes it.
    expect(await store.cleanupExpired(10 * 60_000, inTwoMinutes)).toEqual([]);
    await store.close('busy');
    expect(await store.cleanupExpired(60_000, inTwoMinutes)).toEqual(['busy']);
    expect(await readdir(join(dataDir, 'sessions'))).toEqual([]);
  });

  it('remove deletes an open session after closing it', async () => {
    const store = new FileSessionStore({ dataDir });
    await store.create('gone');
    await store.append('gone', { type: 'prompt:add', payload: {} });
    await store.remove('gone');
    expect(await store.list()).toEqual([]);
    await store.create('gone');
    expect((await store.open('gone')).lastSeq).toBe(0);
    await store.closeAll();
  });
});
