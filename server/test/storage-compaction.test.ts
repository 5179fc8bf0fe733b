import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Durability, fsDurability } from '../src/storage/durability.ts';
import { OpLog, type ReadSinceResult } from '../src/storage/oplog.ts';
import { maskBytes, recordingLogger, tempDir } from './storage-helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

const record = (n: number) => ({ type: 'mask:computed', payload: { n }, attachment: maskBytes(n) });

function seqs(result: ReadSinceResult): number[] | string {
  return result.status === 'ok' ? result.records.map((r) => r.seq) : result.status;
}

describe('op log compaction', () => {
  it('compaction while clients read and append loses nothing and serves each reader a consistent view', async () => {
    const path = join(dir, 'ops.log');
    const log = await OpLog.open(path, { create: true });
    await Promise.all(Array.from({ length: 100 }, (_, n) => log.append(record(n))));
    const readsBefore = Array.from({ length: 5 }, () => log.readSince(0));
    const compaction = log.compact(60);
    const appends = Array.from({ length: 50 }, (_, n) => log.append(record(100 + n)));
    const readsDuring = Array.from({ length: 5 }, () => log.readSince(40));
    await compaction;
    const acks = await Promise.all(appends);
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 50 }, (_, n) => 101 + n));
    for (const read of await Promise.all([...readsBefore, ...readsDuring])) {
      // A read sees either the whole log as it was, or learns that it must fetch the snapshot.
      if (read.status === 'ok') expect(read.records[0]!.seq).toBeLessThanOrEqual(41);
      else expect(read).toEqual({ status: 'compacted', baseSeq: 60 });
    }
    expect(seqs(await log.readSince(60))).toEqual(Array.from({ length: 90 }, (_, n) => 61 + n));
    await log.close();

    const reopened = await OpLog.open(path);
    expect(reopened.baseSeq).toBe(60);
    const after = await reopened.readSince(60);
    expect(after.status === 'ok' && after.records.map((r) => (r.payload as { n: number }).n)).toEqual(
      Array.from({ length: 90 }, (_, n) => 60 + n),
    );
    expect(after.status === 'ok' && Buffer.from(after.records[0]!.attachment!).equals(maskBytes(60))).toBe(
      true,
    );
    await expect(reopened.compact(500)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await reopened.close();
  });

  it('a compaction cut short by a crash (its temp file left behind) leaves the old log in force', async () => {
    const path = join(dir, 'ops.log');
    const log = await OpLog.open(path, { create: true });
    for (let n = 0; n < 10; n++) await log.append(record(n));
    await log.close();
    await writeFile(`${path}.compact`, 'half-written new segment');
    const reopened = await OpLog.open(path);
    expect(seqs(await reopened.readSince(0))).toEqual(Array.from({ length: 10 }, (_, n) => n + 1));
    expect(await readdir(dir)).toEqual(['ops.log']);
    await reopened.close();
  });
});

describe('op log on a failing disk', () => {
  it('a failed fsync rejects the batch with INTERNAL and fences the log until it is reopened', async () => {
    const path = join(dir, 'ops.log');
    let failSyncs = false;
    const flaky: Durability = {
      syncFile: (handle) =>
        failSyncs ? Promise.reject(new Error('EIO: i/o error')) : fsDurability.syncFile(handle),
      syncDir: fsDurability.syncDir,
    };
    const logger = recordingLogger();
    const log = await OpLog.open(path, { create: true, durability: flaky, logger });
    for (let n = 0; n < 5; n++) await log.append(record(n));
    failSyncs = true;
    await expect(log.append(record(5))).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'could not write the session log',
    });
    failSyncs = false;
    // Whatever the disk holds now is unknown: no more acks from this instance.
    await expect(log.append(record(6))).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(logger.warnings[0]).toMatchObject({
      message: 'could not write the session log',
      details: { error: 'Error: EIO: i/o error' },
    });
    await log.close();

    const reopened = await OpLog.open(path);
    const kept = await reopened.readSince(0);
    // The five acked records are there; the unacked one may or may not be, but nothing after it.
    expect(kept.status === 'ok' && kept.records.slice(0, 5).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(reopened.durableSeq).toBeLessThanOrEqual(6);
    await reopened.close();
  });
});
