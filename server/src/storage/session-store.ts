import type { BlobArea } from './blob-area.ts';
import type { ReadSinceResult, RecoveryReport } from './oplog.ts';
import type { AppendInput, LogRecord } from './record-codec.ts';
import type { SnapshotData, StoredSnapshot } from './snapshot-file.ts';

/**
 * Durable storage of sessions, as the session layer sees it. An acknowledged `append` survives a
 * crash; `load` gives back the latest snapshot plus every later record. The embedded
 * implementation is `FileSessionStore` (a folder per session under DATA_DIR); other backends
 * (Redis) implement the same interface.
 *
 * A session is *open* from its first `open`/`append`/`readSince`/`snapshot`/`load` until `close`;
 * expiry never touches an open session.
 */
export interface SessionStore {
  /** Creates an empty session. CONFLICT if it exists, INVALID_INPUT for a malformed id. */
  create(id: string): Promise<void>;
  /** Opens a session (recovering its log after a crash). NOT_FOUND if it does not exist. */
  open(id: string): Promise<OpenedSession>;
  /** Appends a record; resolves once it is durable. Opens the session if needed. */
  append(id: string, record: AppendInput): Promise<{ seq: number; ts: number }>;
  /** Durable records after `seq`, for a reconnecting client's catch-up. */
  readSince(id: string, seq: number): Promise<ReadSinceResult>;
  /**
   * Stores `state`, which must include every record up to `seq`, then drops those records from
   * the log. Waits for `seq` to be durable first; INVALID_INPUT if `seq` was never appended,
   * CONFLICT if a newer snapshot already exists.
   */
  snapshot(id: string, state: SnapshotData, seq: number): Promise<void>;
  /** The latest readable snapshot (or null) and every durable record after it, in order. */
  load(id: string): Promise<LoadedSession>;
  /** Flushes and closes an open session; a no-op for a closed one. */
  close(id: string): Promise<void>;
  /** Deletes a session and everything stored for it. NOT_FOUND if it does not exist. */
  remove(id: string): Promise<void>;
  /** Every stored session. */
  list(): Promise<SessionSummary[]>;
  /** Bytes a session occupies on disk. NOT_FOUND if it does not exist. */
  diskUsage(id: string): Promise<DiskUsage>;
  /**
   * Removes closed sessions whose last activity is more than `olderThanMs` before `now`;
   * returns their ids. Never removes an open session.
   */
  cleanupExpired(olderThanMs?: number, now?: number): Promise<string[]>;
  /** Closes every open session (shutdown). */
  closeAll(): Promise<void>;
  /** Derived artifacts per session (decoded frames, exports). */
  readonly blobs: BlobArea;
}

export interface OpenedSession {
  id: string;
  /** Highest durable seq (0 for a new session). */
  lastSeq: number;
  /** What opening found and repaired in the log. */
  recovery: RecoveryReport;
}

export interface LoadedSession {
  id: string;
  snapshot: StoredSnapshot | null;
  /** Records after the snapshot (or all records), in seq order. */
  records: LogRecord[];
  /** Highest durable seq: the state after applying `records` to `snapshot` is at this seq. */
  lastSeq: number;
}

export interface SessionSummary {
  id: string;
  /** Last append or close, in ms since the epoch (the log file's mtime). */
  lastActivityMs: number;
  open: boolean;
}

export interface DiskUsage {
  /** The op log, including damaged tails copied aside by recovery. */
  logBytes: number;
  snapshotBytes: number;
  blobBytes: number;
  totalBytes: number;
}
