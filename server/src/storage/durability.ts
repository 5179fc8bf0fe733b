import { type FileHandle, open } from 'node:fs/promises';

/**
 * The two calls that make data durable. Everything in `storage/` that needs a flush to disk goes
 * through this interface, so tests and benchmarks can count real fsyncs by wrapping it.
 */
export interface Durability {
  /** Flushes a file's data (and the size needed to read it back) to stable storage. */
  syncFile(handle: FileHandle): Promise<void>;
  /** Flushes a directory, making a rename or create inside it durable. */
  syncDir(dir: string): Promise<void>;
}

/** The real thing: `fdatasync` for files, `fsync` on an opened directory. */
export const fsDurability: Durability = {
  // fdatasync also flushes the file size, which is all an append needs; mtime can lag.
  syncFile: (handle) => handle.datasync(),
  async syncDir(dir) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** A `Durability` that counts the calls it forwards (for tests, benchmarks and metrics). */
export interface CountingDurability extends Durability {
  readonly counts: { fileSyncs: number; dirSyncs: number };
}

/** Wraps `inner` (default: the real fs) and counts every sync it performs. */
export function countingDurability(inner: Durability = fsDurability): CountingDurability {
  const counts = { fileSyncs: 0, dirSyncs: 0 };
  return {
    counts,
    async syncFile(handle) {
      await inner.syncFile(handle);
      counts.fileSyncs++;
    },
    async syncDir(dir) {
      await inner.syncDir(dir);
      counts.dirSyncs++;
    },
  };
}
