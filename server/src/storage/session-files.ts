import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, type StorageLogger } from './errors.ts';
import type { OpLog } from './oplog.ts';
import { listSnapshots, readSnapshot, type StoredSnapshot } from './snapshot-file.ts';

/** File-level helpers of `FileSessionStore` that need none of its in-memory state. */

/** The newest readable snapshot that the log continues from. */
export async function latestUsableSnapshot(
  dir: string,
  id: string,
  log: OpLog,
  logger: StorageLogger,
): Promise<StoredSnapshot | null> {
  for (const candidate of await listSnapshots(dir)) {
    if (candidate.seq < log.baseSeq) break;
    if (candidate.seq > log.durableSeq) {
      // Only possible after the log lost acknowledged records to damage; its seqs would clash.
      logger.warn(`session ${id}: ignoring snapshot ${candidate.seq}, which is ahead of the log`, {
        id,
        durableSeq: log.durableSeq,
      });
      continue;
    }
    const snapshot = await readSnapshot(candidate.path).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    });
    if (snapshot?.seq === candidate.seq) return snapshot;
    logger.warn(`session ${id}: snapshot ${candidate.seq} is damaged, trying an older one`, {
      id,
      path: candidate.path,
    });
  }
  return null;
}

/** Folders left by a crash in the middle of a create or a remove. */
export async function removeLeftovers(sessionsDir: string): Promise<void> {
  const names = await readdir(sessionsDir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith('.trash-') || name.startsWith('.new-')) {
      const path = join(sessionsDir, name);
      // A `.new-` folder may belong to a create in progress: only remove old ones.
      const age = Date.now() - ((await stat(path).catch(() => null))?.mtimeMs ?? Date.now());
      if (name.startsWith('.trash-') || age > 60 * 60 * 1000)
        await rm(path, { recursive: true, force: true });
    }
  }
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (err: unknown) => {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    },
  );
}
