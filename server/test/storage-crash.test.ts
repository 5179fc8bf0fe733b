import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { OpLog } from '../src/storage/oplog.ts';
import { crashRecord, recordingLogger, tempDir } from './storage-helpers.ts';

const WRITER = fileURLToPath(new URL('./storage-crash-writer.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

/** Runs the writer, kills it with SIGKILL about `runMs` after its first ack, returns the acked seqs. */
function runWriterAndKill(path: string, runMs: number): Promise<{ seq: number; i: number }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!killTimer && /^\d+ \d+$/m.test(out)) killTimer = setTimeout(() => child.kill('SIGKILL'), runMs);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited on its own (code ${code}): ${err}`));
      // Only complete lines count: a line cut by the kill was never fully reported.
      const lines = out.slice(0, out.lastIndexOf('\n') + 1).split('\n');
      resolve(
        lines
          .filter((line) => /^\d+ \d+$/.test(line))
          .map((line) => {
            const [seq, i] = line.split(' ').map(Number);
            return { seq: seq!, i: i! };
          }),
      );
    });
  });
}

it('kill -9 while appending as fast as possible loses no acknowledged record', async () => {
  const path = join(dir, 'ops.log');
  let totalAcked = 0;
  // Two crashes in a row: the second writer continues the log the first one left behind.
  for (let round = 0; round < 2; round++) {
    const acked = await runWriterAndKill(path, 1000);
    expect(acked.length).toBeGreaterThan(100);
    totalAcked += acked.length;

    const log = await OpLog.open(path, { logger: recordingLogger() });
    const all = await log.readSince(0);
    if (all.status !== 'ok') throw new Error(all.status);
    const bySeq = new Map(all.records.map((record) => [record.seq, record]));
    const lost = acked.filter(({ seq }) => !bySeq.has(seq));
    expect(lost).toEqual([]);
    // Thousands of records: compare cheaply and report the damaged ones in one assertion.
    const damaged = acked.filter(({ seq, i }) => {
      const record = bySeq.get(seq)!;
      const expected = crashRecord(i);
      return (
        seq !== i + 1 ||
        JSON.stringify(record.payload) !== JSON.stringify(expected.payload) ||
        !record.attachment ||
        !Buffer.from(record.attachment).equals(expected.attachment)
      );
    });
    expect(damaged).toEqual([]);
    // Every record in the log (acked or caught mid-batch) is contiguous from 1.
    expect(all.records.every((record, k) => record.seq === k + 1)).toBe(true);
    console.info(
      `crash round ${round + 1}: ${acked.length} acked, ${all.records.length} in the log, ` +
        `recovery cut ${log.recovery.truncatedBytes} bytes`,
    );
    await log.close();
  }
  expect(totalAcked).toBeGreaterThan(200);
});
