import { type FileHandle, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Durability } from './durability.ts';

/** Writes all of `data` at `position`, looping over short writes. */
export async function writeFully(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/** Reads exactly `length` bytes at `position`, or fewer if the file ends first. */
export async function readFully(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/**
 * Replaces `path` with `data` atomically and durably: write a temporary file, fsync it, rename it
 * over the target, fsync the directory. A crash leaves either the old file or the new one.
 */
export async function writeFileAtomic(path: string, data: Uint8Array, durability: Durability): Promise<void> {
  const tmpPath = `${path}.tmp`;
  const handle = await open(tmpPath, 'w');
  try {
    await writeFully(handle, data, 0);
    await durability.syncFile(handle);
  } finally {
    await handle.close();
  }
  await rename(tmpPath, path);
  await durability.syncDir(dirname(path));
}

/** Creates a log file holding only its header, atomically. */
export const createLogFile = writeFileAtomic;

/** Copies `[start, end)` of `handle` to a new file at `path` (damaged bytes kept for inspection). */
export async function preserveBytes(
  handle: FileHandle,
  start: number,
  end: number,
  path: string,
): Promise<string> {
  const out = await open(path, 'w');
  try {
    const chunk = 1 << 20;
    for (let at = start; at < end; at += chunk) {
      await writeFully(out, await readFully(handle, at, Math.min(chunk, end - at)), at - start);
    }
  } finally {
    await out.close();
  }
  return path;
}
