/**
 * Durable session storage: an op log with group commit, snapshots with compaction, recovery
 * after a crash, and a blob area per session. The session layer depends on `SessionStore` only.
 */
export type { BlobArea } from './blob-area.ts';
export { type CountingDurability, countingDurability, type Durability, fsDurability } from './durability.ts';
export { StorageError, type StorageErrorCode, type StorageLogger } from './errors.ts';
export {
  DEFAULT_EXPIRE_AFTER_MS,
  FileSessionStore,
  type FileSessionStoreOptions,
} from './file-session-store.ts';
export {
  OpLog,
  type OpLogOptions,
  type OpLogStats,
  type ReadSinceResult,
  type RecoveryReport,
} from './oplog.ts';
export type { AppendInput, LogRecord } from './record-codec.ts';
export type {
  DiskUsage,
  LoadedSession,
  OpenedSession,
  SessionStore,
  SessionSummary,
} from './session-store.ts';
export type { SnapshotData, StoredSnapshot } from './snapshot-file.ts';
