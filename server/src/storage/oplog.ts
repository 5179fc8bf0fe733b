import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Durability, fsDurability } from './durability.ts';
import { consoleLogger, StorageError, type StorageLogger } from './errors.ts';
import { readFully, writeFully } from './file-io.ts';
import { encodeLogHeader, LOG_HEADER_BYTES, MAX_RECORD_BODY_BYTES, readFrames } from './log-file.ts';
import { type RecoveryReport, recoverLogFile } from './log-recovery.ts';
import type { OpLogOptions, OpLogStats, ReadSinceResult } from './oplog-types.ts';
import { ReadGate } from './read-gate.ts';
import { type AppendInput, encodeRecord, FRAME_HEADER_BYTES } from './record-codec.ts';

/**
 * The append-only operation log of one session, with group commit.
 *
 * `append` resolves only once the record is on stable storage. By default (`maxBatchDelayMs` 0)
 * a record is written as soon as the disk is idle, and while a batch is being written and synced
 * the next one collects: a lone command pays one fdatasync and no timer, a burst shares one
 * fdatasync per batch, so syncs per second are bounded by the disk, not by the command rate.
 * With `maxBatchDelayMs` > 0 records instead wait up to that long (or until `maxBatchBytes` are
 * waiting) to gather larger batches.
 *
 * On open the file is scanned; a torn or damaged tail is cut off (and reported), so the log
 * always holds a contiguous run of intact records `baseSeq + 1 .. durableSeq`.
 */

interface Waiting {
  frame: Buffer;
  seq: number;
  ts: number;
  resolve: (ack: { seq: number; ts: number }) => void;
  reject: (err: unknown) => void;
}

export type { OpLogOptions, OpLogStats, ReadSinceResult, RecoveryReport };

const noop = () => {};

export class OpLog {
  /** Opens (recovering if needed, see `recoverLogFile`) or creates the log at `path`. */
  static async open(path: string, options: OpLogOptions = {}): Promise<OpLog> {
    const opened = await recoverLogFile(path, options);
    return new OpLog(
      path,
      opened.handle,
      opened.baseSeq,
      opened.offsets,
      opened.end,
      opened.recovery,
      options,
    );
  }

  readonly path: string;
  readonly recovery: RecoveryReport;
  private handle: FileHandle;
  private base: number;
  /** File offsets of the durable records; record i has seq `base + 1 + i`. */
  private offsets: number[];
  /** Offset just past the last durable record: where the next batch is written. */
  private end: number;
  private nextSeq: number;
  private readonly maxBatchDelayMs: number;
  private readonly maxBatchBytes: number;
  private readonly maxRecordBytes: number;
  private readonly durability: Durability;
  private readonly logger: StorageLogger;
  private readonly now: () => number;
  private pending: Waiting[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushQueued = false;
  /** A batch is being written and synced; later appends collect into the next one. */
  private writing = false;
  /** Every write to the file (batches, compaction, close) runs in this chain, one at a time. */
  private chain: Promise<void> = Promise.resolve();
  private failure: StorageError | null = null;
  private closing: Promise<void> | null = null;
  private handleClosed = false;
  private readonly gate = new ReadGate();
  private readonly counters: OpLogStats = {
    appends: 0,
    batches: 0,
    fileSyncs: 0,
    bytesWritten: 0,
    largestBatch: 0,
  };

  private constructor(
    path: string,
    handle: FileHandle,
    baseSeq: number,
    offsets: number[],
    end: number,
    recovery: RecoveryReport,
    options: OpLogOptions,
  ) {
    this.path = path;
    this.handle = handle;
    this.base = baseSeq;
    this.offsets = offsets;
    this.end = end;
    this.recovery = recovery;
    this.nextSeq = baseSeq + offsets.length + 1;
    this.maxBatchDelayMs = options.maxBatchDelayMs ?? 0;
    this.maxBatchBytes = options.maxBatchBytes ?? 1 << 20;
    // Never above what a scan accepts, or a record could be acked and then cut off at reopen.
    this.maxRecordBytes = Math.min(options.maxRecordBytes ?? 16 << 20, MAX_RECORD_BODY_BYTES);
    this.durability = options.durability ?? fsDurability;
    this.logger = options.logger ?? consoleLogger;
    this.now = options.now ?? Date.now;
  }

  /** Seq before the first record in the file (records up to it live in a snapshot). */
  get baseSeq(): number {
    return this.base;
  }

  /** Highest seq whose record is on stable storage. */
  get durableSeq(): number {
    return this.base + this.offsets.length;
  }

  /** Highest seq handed out (durable or still in the current batch). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get stats(): Readonly<OpLogStats> {
    return { ...this.counters };
  }

  /**
   * Appends a record; resolves with its seq once it is durable. Rejects with INVALID_INPUT or
   * PAYLOAD_TOO_LARGE for a record that cannot be stored, INTERNAL when the disk failed (the
   * log then refuses further appends until reopened), CONFLICT after `close`.
   */
  append(input: AppendInput): Promise<{ seq: number; ts: number }> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new StorageError('CONFLICT', 'the session log is closed'));
    const ts = this.now();
    const seq = this.nextSeq;
    let frame: Buffer;
    try {
      frame = encodeRecord(seq, ts, input);
    } catch (err) {
      return Promise.reject(err);
    }
    if (frame.length - FRAME_HEADER_BYTES > this.maxRecordBytes) {
      return Promise.reject(
        new StorageError(
          'PAYLOAD_TOO_LARGE',
          `record of ${frame.length} bytes exceeds the ${this.maxRecordBytes}-byte limit`,
          {
            type: input.type,
          },
        ),
      );
    }
    this.nextSeq++;
    this.counters.appends++;
    return new Promise((resolve, reject) => {
      this.pending.push({ frame, seq, ts, resolve, reject });
      this.pendingBytes += frame.length;
      if (this.pendingBytes >= this.maxBatchBytes) void this.requestFlush();
      else if (this.maxBatchDelayMs === 0) {
        if (!this.writing) void this.requestFlush();
      } else if (!this.timer && !this.flushQueued) {
        this.timer = setTimeout(() => {
          this.timer = null;
          void this.requestFlush();
        }, this.maxBatchDelayMs);
      }
    });
  }

  /** Resolves once every record up to `seq` (default: all appended so far) is durable. */
  async waitDurable(seq: number = this.lastSeq): Promise<void> {
    if (seq > this.durableSeq) await this.requestFlush();
    if (seq > this.durableSeq) {
      throw this.failure ?? new StorageError('INTERNAL', 'records were not made durable', { seq });
    }
  }

  /** Durable records with seq greater than `seq`, in order (catch-up of a reconnecting client). */
  async readSince(seq: number): Promise<ReadSinceResult> {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new StorageError('INVALID_INPUT', 'a seq is a non-negative integer', { seq });
    }
    await this.enterRead();
    try {
      if (seq < this.base) return { status: 'compacted', baseSeq: this.base };
      if (seq > this.durableSeq) return { status: 'ahead', durableSeq: this.durableSeq };
      const start = this.offsets[seq - this.base] ?? this.end;
      return { status: 'ok', records: await readFrames(this.handle, start, this.end) };
    } finally {
      this.gate.leave();
    }
  }

  /**
   * Drops records up to `uptoSeq` (which a durable snapshot must already cover) by writing a new
   * log file holding only the later records and renaming it over the old one.
   */
  compact(uptoSeq: number): Promise<void> {
    return this.enqueue(async () => {
      if (uptoSeq <= this.base) return;
      if (uptoSeq > this.durableSeq) {
        throw new StorageError(
          'INVALID_INPUT',
          `cannot compact past the last durable record (${this.durableSeq})`,
          { uptoSeq },
        );
      }
      await this.gate.hold();
      try {
        await this.rewrite(uptoSeq);
      } finally {
        this.gate.unhold();
      }
    });
  }

  /** Flushes what is waiting and closes the file. Later appends fail with CONFLICT. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.requestFlush();
      await this.enqueue(async () => {
        await this.gate.hold();
        this.handleClosed = true;
        await this.handle.close();
        this.gate.unhold();
      });
    })();
    return this.closing;
  }

  private async rewrite(uptoSeq: number): Promise<void> {
    const dropped = uptoSeq - this.base;
    const keepFrom = this.offsets[dropped] ?? this.end;
    const tmpPath = `${this.path}.compact`;
    const next = await open(tmpPath, 'w+');
    try {
      await writeFully(next, encodeLogHeader(uptoSeq), 0);
      const chunk = 1 << 20;
      for (let at = keepFrom; at < this.end; at += chunk) {
        const bytes = await readFully(this.handle, at, Math.min(chunk, this.end - at));
        await writeFully(next, bytes, LOG_HEADER_BYTES + at - keepFrom);
      }
      await this.durability.syncFile(next);
      await rename(tmpPath, this.path);
    } catch (err) {
      await next.close().catch(noop);
      await rm(tmpPath, { force: true }).catch(noop);
      this.logger.warn('compaction of the session log failed; the log is unchanged', {
        path: this.path,
        error: String(err),
      });
      throw new StorageError(
        'INTERNAL',
        'compaction of the session log failed; the log is unchanged',
        undefined,
        err,
      );
    }
    // From here the path names the new file: switch to it before anything else can fail.
    const old = this.handle;
    const shift = keepFrom - LOG_HEADER_BYTES;
    this.handle = next;
    this.offsets = this.offsets.slice(dropped).map((offset) => offset - shift);
    this.end -= shift;
    this.base = uptoSeq;
    await old.close().catch(noop);
    try {
      await this.durability.syncDir(dirname(this.path));
    } catch (err) {
      this.fail(err, 'could not make the compacted session log durable');
      throw this.failure;
    }
  }

  private requestFlush(): Promise<void> {
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.chain = this.chain.then(() => {
        this.flushQueued = false;
        return this.flushBatch();
      });
    }
    return this.chain;
  }

  /** Runs `job` after every earlier write; its failure goes to the caller, not to the chain. */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job);
    this.chain = run.then(noop, noop);
    return run;
  }

  private async flushBatch(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.failure) {
      for (const waiting of batch) waiting.reject(this.failure);
      return;
    }
    const data = batch.length === 1 ? batch[0]!.frame : Buffer.concat(batch.map((waiting) => waiting.frame));
    this.writing = true;
    try {
      await writeFully(this.handle, data, this.end);
      await this.durability.syncFile(this.handle);
    } catch (err) {
      this.fail(err, 'could not write the session log');
      for (const waiting of batch) waiting.reject(this.failure);
      return;
    } finally {
      this.writing = false;
    }
    let offset = this.end;
    for (const waiting of batch) {
      this.offsets.push(offset);
      offset += waiting.frame.length;
    }
    this.end = offset;
    this.counters.batches++;
    this.counters.fileSyncs++;
    this.counters.bytesWritten += data.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    for (const waiting of batch) waiting.resolve({ seq: waiting.seq, ts: waiting.ts });
    // What collected while this batch was syncing goes out now, as the next batch.
    if (this.maxBatchDelayMs === 0 && this.pending.length > 0) void this.requestFlush();
  }

  /** After a failed write or sync the file's state is unknown: refuse everything until reopened. */
  private fail(err: unknown, message: string): void {
    this.failure ??= new StorageError('INTERNAL', message, undefined, err);
    this.logger.warn(message, { path: this.path, error: String(err) });
  }

  private async enterRead(): Promise<void> {
    await this.gate.enter();
    if (this.handleClosed) {
      this.gate.leave();
      throw new StorageError('CONFLICT', 'the session log is closed');
    }
  }
}
