import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files that exist only while media is being received (uploads, downloads). They live in one
 * folder under DATA_DIR, on the same file system as the sessions, so a finished upload is
 * moved into its session with a rename rather than copied.
 */
export class TempFiles {
  constructor(readonly dir: string) {}

  /** A fresh path in the temp folder (the folder is created; the file is not). */
  async newPath(label: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    return join(this.dir, `${label}-${randomBytes(6).toString('hex')}.part`);
  }

  /** Removes a temp file; an absent one is fine. */
  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /** Removes files older than `olderThanMs` (left by a crash mid-upload); returns how many. */
  async sweep(olderThanMs: number, now = Date.now()): Promise<number> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => null);
      if (info && now - info.mtimeMs > olderThanMs) {
        await rm(path, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}

/** The temp folder for a data dir: `<dataDir>/tmp/ingest`. */
export function ingestTempDir(dataDir: string): string {
  return join(dataDir, 'tmp', 'ingest');
}
