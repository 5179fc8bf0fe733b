import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { type BlobArea, FileBlobArea } from './blob-area.ts';
import { type Durability, fsDurability } from './durability.ts';
import { consoleLogger, isErrno, StorageError, type StorageLogger } from './errors.ts';
import { createLogFile } from './file-io.ts';
import { encodeLogHeader } from './log-file.ts';
import { OpLog, type OpLogOptions, type ReadSinceResult } from './oplog.ts';
import type { AppendInput } from './record-codec.ts';
import { exists, latestUsableSnapshot, removeLeftovers } from './session-files.ts';
import { checkSessionId } from './session-id.ts';
import type {
  DiskUsage,
  LoadedSession,
  OpenedSession,
  SessionStore,
  SessionSummary,
} from './session-store.ts';
import { listSnapshots, type SnapshotData, writeSnapshot } from './snapshot-file.ts';
import { walkFiles } from './walk.ts';

/** Sessions idle for longer than this are removed by `cleanupExpired()` when no age is given. */
export const DEFAULT_EXPIRE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

export interface FileSessionStoreOptions extends Omit<OpLogOptions, 'create'> {
  /** DATA_DIR: sessions live in `<dataDir>/sessions/<id>/`. */
  dataDir: string;
  /** Default age for `cleanupExpired`. */
  expireAfterMs?: number;
}

const noop = () => {};

/**
 * `SessionStore` on the local disk. Layout of one session:
 *
 *   <dataDir>/sessions/<id>/ops.log             op log (see OpLog)
 *   <dataDir>/sessions/<id>/snapshot-<seq>.bin  latest snapshot (older ones are deleted)
 *   <dataDir>/sessions/<id>/blobs/...           derived artifacts
 *
 * Creation and removal go through a rename of the whole folder (`.new-*` / `.trash-*`), so a
 * crash never leaves a half-made session that `list` would show. One process owns a data dir.
 */
export class FileSessionStore implements SessionStore {
  readonly blobs: BlobArea;
  private readonly sessionsDir: string;
  private readonly durability: Durability;
  private readonly logger: StorageLogger;
  private readonly expireAfterMs: number;
  private readonly logOptions: OpLogOptions;
  /** Open (or opening) logs; caching the promise makes racing opens share one load. */
  private readonly logs = new Map<string, Promise<OpLog>>();
  /** Closes and removals in progress; an open of the same id waits for them. */
  private readonly exits = new Map<string, Promise<void>>();
  private readonly snapshotQueues = new Map<string, Promise<void>>();
  /** Bumped on every open, so expiry can tell a session was used while it was looking. */
  private readonly useCounts = new Map<string, number>();

  constructor(options: FileSessionStoreOptions) {
    const { dataDir, expireAfterMs, ...logOptions } = options;
    this.sessionsDir = join(dataDir, 'sessions');
    this.durability = options.durability ?? fsDurability;
    this.logger = options.logger ?? consoleLogger;
    this.expireAfterMs = expireAfterMs ?? DEFAULT_EXPIRE_AFTER_MS;
    this.logOptions = logOptions;
    this.blobs = new FileBlobArea((id) => this.dirOf(id));
  }

  async create(id: string): Promise<void> {
    const dir = this.dirOf(id);
    await mkdir(this.sessionsDir, { recursive: true });
    if (await exists(dir)) throw new StorageError('CONFLICT', `session ${id} already exists`, { id });
    const staging = join(this.sessionsDir, `.new-${id}-${randomUUID()}`);
    await mkdir(staging);
    try {
      await createLogFile(join(staging, 'ops.log'), encodeLogHeader(0), this.durability);
      await rename(staging, dir);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      if (isErrno(err, 'ENOTEMPTY') || isErrno(err, 'EEXIST')) {
        throw new StorageError('CONFLICT', `session ${id} already exists`, { id });
      }
      throw err;
    }
    await this.durability.syncDir(this.sessionsDir);
  }

  async open(id: string): Promise<OpenedSession> {
    const log = await this.logFor(id);
    return { id, lastSeq: log.durableSeq, recovery: log.recovery };
  }

  async append(id: string, record: AppendInput): Promise<{ seq: number; ts: number }> {
    return (await this.logFor(id)).append(record);
  }

  async readSince(id: string, seq: number): Promise<ReadSinceResult> {
    return (await this.logFor(id)).readSince(seq);
  }

  snapshot(id: string, state: SnapshotData, seq: number): Promise<void> {
    // One snapshot at a time per session, so compaction and old-snapshot deletion stay in order.
    const previous = this.snapshotQueues.get(id) ?? Promise.resolve();
    const run = previous.then(() => this.snapshotNow(id, state, seq));
    const tail = run.catch(noop);
    this.snapshotQueues.set(id, tail);
    void tail.then(() => {
      if (this.snapshotQueues.get(id) === tail) this.snapshotQueues.delete(id);
    });
    return run;
  }

  async load(id: string): Promise<LoadedSession> {
    const log = await this.logFor(id);
    // A snapshot landing between choosing one and reading the log compacts what we wanted: retry.
    for (let attempt = 0; attempt < 3; attempt++) {
      const snapshot = await latestUsableSnapshot(this.dirOf(id), id, log, this.logger);
      if (!snapshot && log.baseSeq > 0) {
        throw new StorageError(
          'INTERNAL',
          `session ${id}: records up to seq ${log.baseSeq} were compacted into a snapshot that is missing or damaged`,
          { id, baseSeq: log.baseSeq },
        );
      }
      const from = snapshot?.seq ?? 0;
      const result = await log.readSince(from);
      if (result.status === 'ok') {
        return { id, snapshot, records: result.records, lastSeq: result.records.at(-1)?.seq ?? from };
      }
    }
    throw new StorageError('INTERNAL', `session ${id} kept compacting while it was being loaded`, { id });
  }

  async close(id: string): Promise<void> {
    checkSessionId(id);
    const pending = this.logs.get(id);
    if (!pending) return this.exits.get(id);
    this.logs.delete(id);
    const exit = (async () => {
      const log = await pending.catch(() => null);
      if (!log) return;
      await log.close();
      // The log's mtime is the session's last activity; closing counts as activity.
      const now = new Date();
      await utimes(log.path, now, now).catch(noop);
    })();
    this.track(id, exit);
    return exit;
  }

  async remove(id: string): Promise<void> {
    await this.close(id);
    await this.removeClosed(id);
  }

  async list(): Promise<SessionSummary[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(this.sessionsDir, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return [];
      throw err;
    }
    const sessions: SessionSummary[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const mtime = await this.lastActivity(entry.name);
      if (mtime !== null)
        sessions.push({ id: entry.name, lastActivityMs: mtime, open: this.logs.has(entry.name) });
    }
    return sessions.sort((a, b) => a.id.localeCompare(b.id));
  }

  async diskUsage(id: string): Promise<DiskUsage> {
    const dir = this.dirOf(id);
    if (!(await exists(dir))) throw new StorageError('NOT_FOUND', `session ${id} does not exist`, { id });
    const usage: DiskUsage = { logBytes: 0, snapshotBytes: 0, blobBytes: 0, totalBytes: 0 };
    for (const file of await walkFiles(dir)) {
      if (file.name.startsWith('blobs/')) usage.blobBytes += file.bytes;
      else if (file.name.startsWith('snapshot-')) usage.snapshotBytes += file.bytes;
      else usage.logBytes += file.bytes;
      usage.totalBytes += file.bytes;
    }
    return usage;
  }

  async cleanupExpired(olderThanMs = this.expireAfterMs, now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    for (const session of await this.list()) {
      if (session.open || now - session.lastActivityMs <= olderThanMs) continue;
      // Look again: the session may have been opened, used and closed since `list`.
      const uses = this.useCounts.get(session.id);
      const mtime = await this.lastActivity(session.id);
      if (mtime === null || now - mtime <= olderThanMs) continue;
      if (this.logs.has(session.id) || this.exits.has(session.id) || this.useCounts.get(session.id) !== uses)
        continue;
      try {
        await this.removeClosed(session.id);
        removed.push(session.id);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
      }
    }
    await removeLeftovers(this.sessionsDir);
    return removed;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.logs.keys()].map((id) => this.close(id)));
  }

  private dirOf(id: string): string {
    return join(this.sessionsDir, checkSessionId(id));
  }

  private logFor(id: string): Promise<OpLog> {
    const path = join(this.dirOf(id), 'ops.log');
    let pending = this.logs.get(id);
    if (pending) return pending;
    const exit = this.exits.get(id);
    this.useCounts.set(id, (this.useCounts.get(id) ?? 0) + 1);
    pending = (async () => {
      await exit;
      try {
        return await OpLog.open(path, this.logOptions);
      } catch (err) {
        if (err instanceof StorageError && err.code === 'NOT_FOUND') {
          throw new StorageError('NOT_FOUND', `session ${id} does not exist`, { id });
        }
        throw err;
      }
    })();
    const opening = pending;
    this.logs.set(id, opening);
    opening.catch(() => {
      if (this.logs.get(id) === opening) this.logs.delete(id);
    });
    return opening;
  }

  private async snapshotNow(id: string, state: SnapshotData, seq: number): Promise<void> {
    const log = await this.logFor(id);
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > log.lastSeq) {
      throw new StorageError(
        'INVALID_INPUT',
        `cannot snapshot at seq ${seq}: the log ends at ${log.lastSeq}`,
        { id, seq },
      );
    }
    if (seq < log.baseSeq) {
      throw new StorageError('CONFLICT', `a newer snapshot (seq ${log.baseSeq}) already exists`, { id, seq });
    }
    await log.waitDurable(seq);
    const dir = this.dirOf(id);
    await writeSnapshot(dir, seq, state, Date.now(), this.durability);
    await log.compact(seq);
    // Older snapshots cannot be used any more: the records between them and this one are gone.
    for (const old of await listSnapshots(dir)) if (old.seq < seq) await rm(old.path, { force: true });
  }

  /** Removes a closed session's folder; CONFLICT if it is open. Registers the exit synchronously. */
  private removeClosed(id: string): Promise<void> {
    const dir = this.dirOf(id);
    if (this.logs.has(id)) throw new StorageError('CONFLICT', `session ${id} is open`, { id });
    const work = (async () => {
      const trash = join(this.sessionsDir, `.trash-${id}-${randomUUID()}`);
      try {
        await rename(dir, trash);
      } catch (err) {
        if (isErrno(err, 'ENOENT'))
          throw new StorageError('NOT_FOUND', `session ${id} does not exist`, { id });
        throw err;
      }
      await this.durability.syncDir(this.sessionsDir);
      await rm(trash, { recursive: true, force: true });
      this.useCounts.delete(id);
    })();
    this.track(id, work);
    return work;
  }

  private async lastActivity(id: string): Promise<number | null> {
    const info = await stat(join(this.sessionsDir, id, 'ops.log')).catch(() => null);
    return info ? info.mtimeMs : null;
  }

  private track(id: string, exit: Promise<void>): void {
    const settled = exit.catch(noop);
    this.exits.set(id, settled);
    void settled.then(() => {
      if (this.exits.get(id) === settled) this.exits.delete(id);
    });
  }
}
