import { type FileHandle, open, rm } from 'node:fs/promises';
import { fsDurability } from './durability.ts';
import { consoleLogger, isErrno, StorageError } from './errors.ts';
import { createLogFile, preserveBytes, readFully } from './file-io.ts';
import {
  decodeLogHeader,
  encodeLogHeader,
  LOG_HEADER_BYTES,
  type ScanProblemReason,
  scanFrames,
} from './log-file.ts';
import type { OpLogOptions } from './oplog-types.ts';

/** What opening the log found and repaired. */
export interface RecoveryReport {
  /** Intact records kept. */
  records: number;
  /** Bytes cut off the end of the file (0 when the log was clean). */
  truncatedBytes: number;
  problem?: { reason: ScanProblemReason; offset: number; expectedSeq: number };
  /** Where the cut bytes were copied for inspection (damage other than a torn write only). */
  preservedAs?: string;
}

/** An opened log file whose intact prefix is known and whose damaged tail is gone. */
export interface RecoveredLog {
  handle: FileHandle;
  baseSeq: number;
  offsets: number[];
  end: number;
  recovery: RecoveryReport;
}

/**
 * Opens the log file at `path` (creating it when `options.create`), scans it, and cuts off a torn
 * or damaged tail so that only intact, contiguous records remain. Damage other than a torn final
 * write (a checksum mismatch mid-file) is copied aside before the cut and reported as a warning:
 * records before it are kept, records after it cannot be trusted to be contiguous.
 */
export async function recoverLogFile(path: string, options: OpLogOptions): Promise<RecoveredLog> {
  const durability = options.durability ?? fsDurability;
  const logger = options.logger ?? consoleLogger;
  // A compaction that crashed before its rename leaves this behind; the old log is still whole.
  await rm(`${path}.compact`, { force: true });
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (err) {
    if (!isErrno(err, 'ENOENT'))
      throw new StorageError('INTERNAL', 'cannot open the session log', undefined, err);
    if (!options.create) throw new StorageError('NOT_FOUND', 'no session log');
    await createLogFile(path, encodeLogHeader(0), durability);
    handle = await open(path, 'r+');
  }
  try {
    const size = (await handle.stat()).size;
    const baseSeq = decodeLogHeader(await readFully(handle, 0, Math.min(size, LOG_HEADER_BYTES)));
    if (baseSeq === null) {
      throw new StorageError('INTERNAL', 'the session log header is damaged; refusing to guess', { path });
    }
    const scan = await scanFrames(handle, LOG_HEADER_BYTES, size, baseSeq + 1);
    const recovery: RecoveryReport = { records: scan.offsets.length, truncatedBytes: size - scan.end };
    if (scan.problem) {
      recovery.problem = scan.problem;
      const lastGood = scan.problem.expectedSeq - 1;
      if (scan.problem.reason !== 'incomplete') {
        recovery.preservedAs = await preserveBytes(handle, scan.end, size, `${path}.damaged-${scan.end}`);
      }
      await handle.truncate(scan.end);
      await durability.syncFile(handle);
      logger.warn(
        scan.problem.reason === 'incomplete'
          ? `torn write at the end of the session log: cut ${recovery.truncatedBytes} bytes after seq ${lastGood}`
          : `session log damaged (${scan.problem.reason}) at offset ${scan.end}: kept records up to seq ${lastGood}, ` +
              `cut ${recovery.truncatedBytes} bytes after them (copied to ${recovery.preservedAs})`,
        { path, ...recovery.problem, lastGoodSeq: lastGood, truncatedBytes: recovery.truncatedBytes },
      );
    }
    return { handle, baseSeq, offsets: scan.offsets, end: scan.end, recovery };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
