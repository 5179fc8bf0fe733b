import type { FileHandle } from 'node:fs/promises';
import { crc32 } from './crc32.ts';
import { bodySeq, decodeBody, FRAME_HEADER_BYTES, type LogRecord, MIN_BODY_BYTES } from './record-codec.ts';

/**
 * Low-level reading of a log file: its header, a chunked cursor, and the scan that finds where
 * the intact records end.
 *
 *   file   = header | frame*
 *   header = "ROTOLOG1" | u64 baseSeq | u32 crc32(previous 16 bytes)
 *
 * `baseSeq` is the sequence number just before the first record in this file: 0 for a fresh log,
 * the snapshot's seq after compaction. It keeps sequence numbers increasing across compactions
 * even when the file holds no record at all.
 */

const MAGIC = Buffer.from('ROTOLOG1', 'latin1');
export const LOG_HEADER_BYTES = 20;

export function encodeLogHeader(baseSeq: number): Buffer {
  const header = Buffer.alloc(LOG_HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeBigUInt64BE(BigInt(baseSeq), 8);
  header.writeUInt32BE(crc32(header.subarray(0, 16)), 16);
  return header;
}

/** Returns the header's baseSeq, or null when the bytes are not a valid header. */
export function decodeLogHeader(bytes: Buffer): number | null {
  if (bytes.length < LOG_HEADER_BYTES) return null;
  if (!bytes.subarray(0, 8).equals(MAGIC)) return null;
  if (bytes.readUInt32BE(16) !== crc32(bytes.subarray(0, 16))) return null;
  return Number(bytes.readBigUInt64BE(8));
}

const CHUNK_BYTES = 1 << 20;

/**
 * The largest record body any log may hold. Scans use this fixed bound rather than the configured
 * append limit, so lowering that limit later can never make existing records look damaged.
 */
export const MAX_RECORD_BODY_BYTES = 256 * 1024 * 1024;

/** Sequential reads over `[start, end)` of a file, in large chunks. */
class FileCursor {
  private chunk = Buffer.alloc(0);
  private chunkStart = 0;
  pos: number;

  constructor(
    private readonly handle: FileHandle,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  /** The next `n` bytes (valid until the next call), or null when fewer remain before `end`. */
  async take(n: number): Promise<Buffer | null> {
    if (this.pos + n > this.end) return null;
    const inChunk = this.pos - this.chunkStart;
    if (inChunk < 0 || inChunk + n > this.chunk.length) {
      const size = Math.min(Math.max(n, CHUNK_BYTES), this.end - this.pos);
      const buffer = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const { bytesRead } = await this.handle.read(buffer, filled, size - filled, this.pos + filled);
        if (bytesRead === 0) return null; // the file shrank under us
        filled += bytesRead;
      }
      this.chunk = buffer;
      this.chunkStart = this.pos;
    }
    const at = this.pos - this.chunkStart;
    this.pos += n;
    return this.chunk.subarray(at, at + n);
  }
}

/** Why a scan stopped before the end of the file. */
export type ScanProblemReason =
  /** The file ends inside a record: the usual torn write of a crash. */
  | 'incomplete'
  /** A whole record is there but its checksum does not match: damaged bytes. */
  | 'checksum'
  /** The length field is impossible (zeros from a crash, or damage). */
  | 'bad-length'
  /** The checksum matches but the sequence number is not the expected next one. */
  | 'sequence';

export interface ScanResult {
  /** File offset of each intact record, in order; record i has seq `firstSeq + i`. */
  offsets: number[];
  /** Offset just past the last intact record. */
  end: number;
  problem?: { reason: ScanProblemReason; offset: number; expectedSeq: number };
}

/**
 * Walks the frames in `[start, fileEnd)` and returns where the intact prefix ends. Only checksums
 * and sequence numbers are checked here; payloads are parsed when records are read.
 */
export async function scanFrames(
  handle: FileHandle,
  start: number,
  fileEnd: number,
  firstSeq: number,
): Promise<ScanResult> {
  const cursor = new FileCursor(handle, start, fileEnd);
  const offsets: number[] = [];
  let expectedSeq = firstSeq;
  for (;;) {
    const offset = cursor.pos;
    if (offset === fileEnd) return { offsets, end: offset };
    const stop = (reason: ScanProblemReason): ScanResult => ({
      offsets,
      end: offset,
      problem: { reason, offset, expectedSeq },
    });
    const header = await cursor.take(FRAME_HEADER_BYTES);
    if (!header) return stop('incomplete');
    const length = header.readUInt32BE(0);
    const crc = header.readUInt32BE(4);
    if (length < MIN_BODY_BYTES || length > MAX_RECORD_BODY_BYTES) return stop('bad-length');
    const body = await cursor.take(length);
    if (!body) return stop('incomplete');
    if (crc32(body) !== crc) return stop('checksum');
    if (bodySeq(body) !== expectedSeq) return stop('sequence');
    offsets.push(offset);
    expectedSeq++;
  }
}

/** Decodes every record in `[start, end)`, which must hold intact frames only. */
export async function readFrames(handle: FileHandle, start: number, end: number): Promise<LogRecord[]> {
  const cursor = new FileCursor(handle, start, end);
  const records: LogRecord[] = [];
  while (cursor.pos < end) {
    const header = await cursor.take(FRAME_HEADER_BYTES);
    const body = header && (await cursor.take(header.readUInt32BE(0)));
    if (!body) throw new Error(`log shorter than its index at offset ${cursor.pos}`);
    records.push(decodeBody(body));
  }
  return records;
}
