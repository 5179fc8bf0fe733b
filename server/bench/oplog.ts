/**
 * Op log benchmark: ack latency and fsyncs per second of group commit at a steady command rate,
 * against the bare baseline of one write + fdatasync per command; then saturation throughput.
 *
 *   npx tsx server/bench/oplog.ts [--rate 500] [--seconds 5] [--dir <folder on the disk to measure>]
 *
 * One command in five carries an 8 KB attachment (an encoded mask); the rest are ~150 B of JSON.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { countingDurability } from '../src/storage/durability.ts';
import { OpLog } from '../src/storage/oplog.ts';
import { type AppendInput, encodeRecord } from '../src/storage/record-codec.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '5' },
    dir: { type: 'string' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const MASK = new Uint8Array(8192).map((_, i) => (i * 31) & 0xff);

function command(n: number): AppendInput {
  const payload = {
    objectId: `obj-${n % 5}`,
    frame: n % 300,
    points: [{ x: 100 + n, y: 200, label: 1 }],
    cmd: n,
  };
  return n % 5 === 0 ? { type: 'mask:computed', payload, attachment: MASK } : { type: 'prompt:add', payload };
}

interface Run {
  latencies: number[];
  fsyncs: number;
  seconds: number;
}

/** Issues `append` at RATE per second for SECONDS, recording each ack's latency in ms. */
async function paced(append: (input: AppendInput) => Promise<unknown>, fsyncs: () => number): Promise<Run> {
  const latencies: number[] = [];
  const acks: Promise<unknown>[] = [];
  const total = RATE * SECONDS;
  const start = performance.now();
  const fsyncsBefore = fsyncs();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
    for (; sent < due; sent++) {
      const t0 = performance.now();
      acks.push(append(command(sent)).then(() => latencies.push(performance.now() - t0)));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(acks);
  return { latencies, fsyncs: fsyncs() - fsyncsBefore, seconds: (performance.now() - start) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function report(name: string, run: Run): { p99: number; fsyncsPerSecond: number } {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const fsyncsPerSecond = run.fsyncs / run.seconds;
  console.log(
    `${name.padEnd(28)} ${(run.latencies.length / run.seconds).toFixed(0).padStart(5)} acks/s  ` +
      `p50 ${percentile(sorted, 50).toFixed(2)} ms  p99 ${percentile(sorted, 99).toFixed(2)} ms  ` +
      `max ${sorted.at(-1)?.toFixed(2)} ms  ${fsyncsPerSecond.toFixed(0)} fsyncs/s ` +
      `(${(run.latencies.length / Math.max(1, run.fsyncs)).toFixed(1)} commands per fsync)`,
  );
  return { p99: percentile(sorted, 99), fsyncsPerSecond };
}

/** The bare baseline: each command written and fdatasynced on its own, in order. */
async function naiveLog(path: string) {
  const handle = await open(path, 'w');
  let chain: Promise<void> = Promise.resolve();
  let offset = 0;
  let seq = 0;
  let syncs = 0;
  return {
    append(input: AppendInput): Promise<void> {
      const frame = encodeRecord(++seq, Date.now(), input);
      chain = chain.then(async () => {
        await handle.write(frame, 0, frame.length, offset);
        offset += frame.length;
        await handle.datasync();
        syncs++;
      });
      return chain;
    },
    syncs: () => syncs,
    close: () => handle.close(),
  };
}

const dir = values.dir ?? (await mkdtemp(join(tmpdir(), 'roto-bench-oplog-')));
console.log(`op log bench: ${RATE} commands/s for ${SECONDS} s in ${dir} (node ${process.version})`);
try {
  const naive = await naiveLog(join(dir, 'naive.log'));
  const base = report('baseline: fsync per command', await paced(naive.append, naive.syncs));
  await naive.close();

  const durability = countingDurability();
  const log = await OpLog.open(join(dir, 'ops.log'), { create: true, durability });
  const group = report(
    'group commit (write when idle)',
    await paced(
      (input) => log.append(input),
      () => durability.counts.fileSyncs,
    ),
  );
  console.log(
    `ratio group/baseline: fsyncs/s ${(group.fsyncsPerSecond / base.fsyncsPerSecond).toFixed(3)}, ` +
      `p99 ${(group.p99 / base.p99).toFixed(2)}`,
  );

  // Saturation: as many appends as the log takes, 256 in flight, for 2 s.
  const before = log.stats;
  const start = performance.now();
  let n = 0;
  const worker = async () => {
    while (performance.now() - start < 2000) await log.append(command(n++));
  };
  await Promise.all(Array.from({ length: 256 }, worker));
  const after = log.stats;
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `saturation (256 in flight)   ${((after.appends - before.appends) / seconds).toFixed(0)} acks/s, ` +
      `${((after.fileSyncs - before.fileSyncs) / seconds).toFixed(0)} fsyncs/s, ` +
      `${((after.bytesWritten - before.bytesWritten) / seconds / 1e6).toFixed(1)} MB/s, largest batch ${after.largestBatch}`,
  );
  await log.close();
} finally {
  if (!values.dir) await rm(dir, { recursive: true, force: true });
}
