import type { Durability } from './durability.ts';
import type { StorageLogger } from './errors.ts';
import type { LogRecord } from './record-codec.ts';

/** Tuning and plumbing for one log. Every field is optional. */
export interface OpLogOptions {
  /** Create an empty log when the file does not exist (otherwise open fails with NOT_FOUND). */
  create?: boolean;
  /**
   * 0 (default): write as soon as the disk is idle, collecting what arrives during a sync into the
   * next batch. > 0: a record waits up to this long for company before its batch is written.
   */
  maxBatchDelayMs?: number;
  /** A batch is written at once when this many bytes are waiting. Default 1 MiB. */
  maxBatchBytes?: number;
  /** Largest record body accepted by `append` (PAYLOAD_TOO_LARGE beyond). Default 16 MiB. */
  maxRecordBytes?: number;
  durability?: Durability;
  logger?: StorageLogger;
  /** Clock for record timestamps. */
  now?: () => number;
}

/** The answer to a catch-up request. */
export type ReadSinceResult =
  | { status: 'ok'; records: LogRecord[] }
  /** Records up to `baseSeq` were compacted into a snapshot: the reader needs the full state. */
  | { status: 'compacted'; baseSeq: number }
  /** The reader claims a seq this log never acknowledged. */
  | { status: 'ahead'; durableSeq: number };

/** Counters for benchmarks and metrics. */
export interface OpLogStats {
  appends: number;
  batches: number;
  fileSyncs: number;
  bytesWritten: number;
  largestBatch: number;
}
