import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countingDurability } from '../src/storage/durability.ts';
import { OpLog } from '../src/storage/oplog.ts';
import { encodeRecord } from '../src/storage/record-codec.ts';
import { maskBytes, recordingLogger, tempDir } from './storage-helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

function command(n: number) {
  return {
    type: n % 3 === 0 ? 'mask:computed' : 'prompt:add',
    payload: { n, objectId: `obj-${n % 5}`, points: [{ x: n, y: 2 * n, label: 1 }], note: 'é✓' },
    ...(n % 3 === 0 ? { attachment: maskBytes(n) } : {}),
  };
}

describe('op log', () => {
  it('replays appended records in order, binary attachments byte for byte, after reopen', async () => {
    const path = join(dir, 'ops.log');
    const log = await OpLog.open(path, { create: true });
    const acks = await Promise.all(Array.from({ length: 50 }, (_, n) => log.append(command(n))));
    expect(acks.map((ack) => ack.seq)).toEqual(Array.from({ length: 50 }, (_, n) => n + 1));
    await log.close();

    const reopened = await OpLog.open(path);
    expect(reopened.recovery).toEqual({ records: 50, truncatedBytes: 0 });
    const result = await reopened.readSince(0);
    if (result.status !== 'ok') throw new Error(result.status);
    expect(result.records).toHaveLength(50);
    result.records.forEach((record, n) => {
      const expected = command(n);
      expect(record.seq).toBe(n + 1);
      expect(record.type).toBe(expected.type);
      expect(record.payload).toEqual(expected.payload);
      expect(record.attachment).toEqual(expected.attachment);
    });
    // Sequence numbers keep increasing across a reopen.
    expect((await reopened.append(command(50))).seq).toBe(51);
    await reopened.close();
  });

  it('readSince returns only later records, and says when the reader is ahead', async () => {
    const log = await OpLog.open(join(dir, 'ops.log'), { create: true });
    for (let n = 0; n < 10; n++) await log.append(command(n));
    const since7 = await log.readSince(7);
    expect(since7.status === 'ok' && since7.records.map((r) => r.seq)).toEqual([8, 9, 10]);
    expect(await log.readSince(10)).toEqual({ status: 'ok', records: [] });
    expect(await log.readSince(11)).toEqual({ status: 'ahead', durableSeq: 10 });
    await expect(log.readSince(-1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(log.readSince(2.5)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await log.close();
  });

  it('group commit: 200 commands issued together cost one fsync, not 200', async () => {
    const durability = countingDurability();
    const log = await OpLog.open(join(dir, 'ops.log'), { create: true, durability, maxBatchDelayMs: 5 });
    const before = durability.counts.fileSyncs;
    const acks = await Promise.all(Array.from({ length: 200 }, (_, n) => log.append(command(n))));
    expect(acks).toHaveLength(200);
    expect(durability.counts.fileSyncs - before).toBe(1);
    expect(log.stats).toMatchObject({ appends: 200, batches: 1, fileSyncs: 1, largestBatch: 200 });
    await log.close();
  });

  it('group commit: a batch closes at the size threshold without waiting for the delay', async () => {
    const durability = countingDurability();
    // A delay far beyond the test timeout: only the size threshold can close these batches.
    const log = await OpLog.open(join(dir, 'ops.log'), {
      create: true,
      durability,
      maxBatchBytes: 4096,
      maxBatchDelayMs: 3_600_000,
    });
    const before = durability.counts.fileSyncs;
    const attachment = new Uint8Array(1000);
    const acks: Promise<unknown>[] = [];
    const syncsSeenAtAck: number[] = [];
    for (let group = 0; group < 10; group++) {
      // Four records of ~1 KB cross the 4 KB threshold; the next group arrives in a later tick.
      for (let i = 0; i < 4; i++) {
        const ack = log.append({ type: 'mask:computed', payload: { group, i }, attachment });
        acks.push(ack.then(() => syncsSeenAtAck.push(durability.counts.fileSyncs - before)));
      }
      await new Promise(setImmediate);
    }
    await Promise.all(acks);
    const syncs = durability.counts.fileSyncs - before;
    expect(syncs).toBeGreaterThanOrEqual(2);
    expect(syncs).toBeLessThanOrEqual(10);
    expect(log.stats.batches).toBe(syncs);
    // No record is acknowledged before the sync of its batch.
    expect(Math.min(...syncsSeenAtAck)).toBeGreaterThanOrEqual(1);
    await log.close();
  });

  it('rejects what it cannot store with a precise code, without using up a seq', async () => {
    const log = await OpLog.open(join(dir, 'ops.log'), { create: true, maxRecordBytes: 1024 });
    await expect(log.append({ type: '', payload: {} })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(log.append({ type: 'x', payload: undefined })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(log.append({ type: 'x', payload: cyclic })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      log.append({ type: 'x', payload: {}, attachment: new Uint8Array(2000) }),
    ).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect((await log.append({ type: 'x', payload: 1 })).seq).toBe(1);
    await log.close();
    await expect(log.append({ type: 'x', payload: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('opening a missing log without create fails with NOT_FOUND', async () => {
    await expect(OpLog.open(join(dir, 'nope.log'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('op log recovery', () => {
  async function writeLog(path: string, count: number): Promise<void> {
    const log = await OpLog.open(path, { create: true });
    for (let n = 0; n < count; n++) await log.append(command(n));
    await log.close();
  }

  it('a torn tail (a record cut short by a crash) is cut off with a warning; earlier records intact', async () => {
    const path = join(dir, 'ops.log');
    await writeLog(path, 20);
    const intactSize = (await stat(path)).size;
    const next = encodeRecord(21, Date.now(), command(20));
    await appendFile(path, next.subarray(0, next.length - 7));
    const logger = recordingLogger();
    const log = await OpLog.open(path, { logger });
    expect(log.recovery).toMatchObject({
      records: 20,
      truncatedBytes: next.length - 7,
      problem: { reason: 'incomplete', expectedSeq: 21 },
    });
    expect(log.recovery.preservedAs).toBeUndefined();
    expect((await stat(path)).size).toBe(intactSize);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]!.message).toMatch(
      `torn write at the end of the session log: cut ${next.length - 7} bytes after seq 20`,
    );
    const all = await log.readSince(0);
    expect(all.status === 'ok' && all.records.map((r) => r.payload)).toEqual(
      Array.from({ length: 20 }, (_, n) => command(n).payload),
    );
    expect((await log.append(command(20))).seq).toBe(21);
    await log.close();
  });

  it('garbage or zeros after the last record are cut off too', async () => {
    const path = join(dir, 'ops.log');
    await writeLog(path, 5);
    const intactSize = (await stat(path)).size;
    await appendFile(path, Buffer.from('this is not a record, just noise written at the end'));
    const logger = recordingLogger();
    const log = await OpLog.open(path, { logger });
    expect(log.recovery).toMatchObject({ records: 5, truncatedBytes: 51 });
    expect((await stat(path)).size).toBe(intactSize);
    await log.close();

    // A file extended but never written (zeros after a crash on some filesystems).
    await appendFile(path, Buffer.alloc(4096));
    const again = await OpLog.open(path, { logger });
    expect(again.recovery).toMatchObject({
      records: 5,
      truncatedBytes: 4096,
      problem: { reason: 'bad-length' },
    });
    expect(logger.warnings).toHaveLength(2);
    await again.close();
  });

  it('a checksum mismatch in the middle keeps the records before it, warns clearly, and copies the rest aside', async () => {
    const path = join(dir, 'ops.log');
    const log = await OpLog.open(path, { create: true });
    const ends: number[] = [];
    for (let n = 0; n < 30; n++) {
      await log.append(command(n));
      ends.push((await stat(path)).size);
    }
    await log.close();
    // Flip one byte inside record 13 (its body starts after record 12's end).
    const bytes = await readFile(path);
    const at = ends[11]! + 20;
    bytes[at] = bytes[at]! ^ 0xff;
    await writeFile(path, bytes);

    const logger = recordingLogger();
    const reopened = await OpLog.open(path, { logger });
    expect(reopened.recovery).toMatchObject({
      records: 12,
      truncatedBytes: bytes.length - ends[11]!,
      problem: { reason: 'checksum', offset: ends[11], expectedSeq: 13 },
    });
    expect(logger.warnings[0]!.message).toMatch(/damaged \(checksum\).*kept records up to seq 12/);
    const kept = await reopened.readSince(0);
    expect(kept.status === 'ok' && kept.records.map((r) => r.seq)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const preserved = await readFile(reopened.recovery.preservedAs!);
    expect(preserved.equals(bytes.subarray(ends[11]!))).toBe(true);
    expect(await readdir(dir)).toContain(`ops.log.damaged-${ends[11]}`);
    await reopened.close();
  });

  it('refuses to guess when the header itself is damaged', async () => {
    const path = join(dir, 'ops.log');
    await writeLog(path, 3);
    const bytes = await readFile(path);
    bytes[3] = 0;
    await writeFile(path, bytes);
    await expect(OpLog.open(path)).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
