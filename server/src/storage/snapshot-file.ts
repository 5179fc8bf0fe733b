import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from './crc32.ts';
import type { Durability } from './durability.ts';
import { isErrno } from './errors.ts';
import { writeFileAtomic } from './file-io.ts';
import { decodeBody, encodeRecord, FRAME_HEADER_BYTES } from './record-codec.ts';

/**
 * Snapshot files: `snapshot-<seq>.bin` = "ROTOSNP1" followed by one record frame (same framing
 * and CRC as the log) whose seq is the last log record the state includes.
 */

/** A session's state as the session layer serialises it: JSON plus optional binary bytes. */
export interface SnapshotData {
  payload: unknown;
  attachment?: Uint8Array;
}

/** A snapshot read back from disk. */
export interface StoredSnapshot extends SnapshotData {
  /** The state includes every log record up to and including this seq. */
  seq: number;
  /** When the snapshot was written (ms since the epoch). */
  ts: number;
}

const MAGIC = Buffer.from('ROTOSNP1', 'latin1');
const NAME = /^snapshot-(\d+)\.bin$/;

export function snapshotPath(dir: string, seq: number): string {
  return join(dir, `snapshot-${seq}.bin`);
}

/** Writes the snapshot atomically and durably (temp file, fsync, rename, fsync dir). */
export async function writeSnapshot(
  dir: string,
  seq: number,
  data: SnapshotData,
  ts: number,
  durability: Durability,
): Promise<string> {
  const frame = encodeRecord(seq, ts, { type: 'snapshot', ...data });
  const path = snapshotPath(dir, seq);
  await writeFileAtomic(path, Buffer.concat([MAGIC, frame]), durability);
  return path;
}

/** Reads a snapshot; returns null when the file is damaged (bad magic, length or checksum). */
export async function readSnapshot(path: string): Promise<StoredSnapshot | null> {
  const bytes = await readFile(path);
  if (bytes.length < MAGIC.length + FRAME_HEADER_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    return null;
  const length = bytes.readUInt32BE(MAGIC.length);
  const body = bytes.subarray(MAGIC.length + FRAME_HEADER_BYTES);
  if (body.length !== length || crc32(body) !== bytes.readUInt32BE(MAGIC.length + 4)) return null;
  try {
    const record = decodeBody(body);
    const snapshot: StoredSnapshot = { seq: record.seq, ts: record.ts, payload: record.payload };
    if (record.attachment) snapshot.attachment = record.attachment;
    return snapshot;
  } catch {
    return null;
  }
}

/** Snapshot files in `dir`, newest (highest seq) first. */
export async function listSnapshots(dir: string): Promise<{ seq: number; path: string }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  return names
    .map((name) => NAME.exec(name))
    .filter((match) => match !== null)
    .map((match) => ({ seq: Number(match[1]), path: join(dir, match[0]) }))
    .sort((a, b) => b.seq - a.seq);
}
