import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageLogger } from '../src/storage/errors.ts';

/** A fresh temporary directory and a function that removes it. */
export async function tempDir(
  prefix = 'roto-storage-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A logger that keeps its warnings so tests can read what an operator would see. */
export function recordingLogger(): StorageLogger & {
  warnings: { message: string; details?: Record<string, unknown> }[];
} {
  const warnings: { message: string; details?: Record<string, unknown> }[] = [];
  return {
    warnings,
    warn(message, details) {
      warnings.push(details === undefined ? { message } : { message, details });
    },
  };
}

/** Deterministic bytes for record `n` (a stand-in for an encoded mask). */
export function maskBytes(n: number, length = 64 + (n % 37) * 53): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = (n * 2654435761) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** The record the crash writer appends as its `i`-th command (seq `i + 1` in a fresh log). */
export function crashRecord(i: number) {
  return {
    type: 'mask:computed',
    payload: { i, objectId: `obj-${i % 7}`, frame: i % 300 },
    attachment: maskBytes(i),
  };
}
