import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';
import { FetchError } from './errors.ts';

/**
 * Just enough of the zip format to unpack a model archive (samexporter publishes its ONNX files
 * as zips): the central directory, stored and deflated entries, zip64 sizes. Entries are streamed
 * to disk, never held in memory, and checked against their CRC-32 and size.
 */

/** One file inside a zip. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_EOCD_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

function bad(path: string, why: string): FetchError {
  return new FetchError('CONFLICT', 'checksum-mismatch', `${path} is not a usable zip archive: ${why}`);
}

/** Lists the entries of the zip at `path`. */
export async function listZip(path: string): Promise<ZipEntry[]> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw bad(path, 'no end-of-central-directory record (truncated download?)');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === MAX32 || count === 0xffff) {
      const loc = eocd - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== ZIP64_EOCD_LOCATOR) throw bad(path, 'zip64 locator missing');
      const z64 = Buffer.alloc(56);
      await fh.read(z64, 0, 56, Number(tail.readBigUInt64LE(loc + 8)));
      if (z64.readUInt32LE(0) !== ZIP64_EOCD) throw bad(path, 'zip64 record missing');
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    for (let p = 0, i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== CENTRAL) throw bad(path, 'corrupt central directory');
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const e: ZipEntry = {
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
        method: cd.readUInt16LE(p + 10),
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
      };
      readZip64Extra(cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), e);
      entries.push(e);
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Sizes and offsets that do not fit 32 bits live in the zip64 extra field, in this order. */
function readZip64Extra(extra: Buffer, e: ZipEntry): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const next = () => {
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (e.size === MAX32) e.size = next();
      if (e.compressedSize === MAX32) e.compressedSize = next();
      if (e.localHeaderOffset === MAX32) e.localHeaderOffset = next();
      return;
    }
    p += 4 + len;
  }
}

/** Streams one entry to `dest` (through `<dest>.part`, renamed when its CRC-32 and size check out). */
export async function extractZipEntry(zipPath: string, entry: ZipEntry, dest: string): Promise<void> {
  if (entry.method !== 0 && entry.method !== 8) {
    throw bad(
      zipPath,
      `${entry.name} uses compression method ${entry.method} (only stored and deflate are supported)`,
    );
  }
  const fh = await open(zipPath, 'r');
  const header = Buffer.alloc(30);
  try {
    await fh.read(header, 0, 30, entry.localHeaderOffset);
  } finally {
    await fh.close();
  }
  if (header.readUInt32LE(0) !== LOCAL) throw bad(zipPath, `no local header for ${entry.name}`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const part = `${dest}.part`;
  let crc = 0;
  let written = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      crc = crc32(chunk, crc);
      written += chunk.length;
      done(null, chunk);
    },
  });
  const source =
    entry.compressedSize === 0
      ? Readable.from([])
      : createReadStream(zipPath, { start, end: start + entry.compressedSize - 1 });
  try {
    if (entry.method === 8) await pipeline(source, createInflateRaw(), check, createWriteStream(part));
    else await pipeline(source, check, createWriteStream(part));
  } catch (err) {
    await rm(part, { force: true });
    if ((err as NodeJS.ErrnoException).code?.startsWith('Z_'))
      throw bad(zipPath, `${entry.name}: ${(err as Error).message}`);
    throw err;
  }
  if (written !== entry.size || crc >>> 0 !== entry.crc32) {
    await rm(part, { force: true });
    throw bad(zipPath, `${entry.name} is damaged (size or CRC-32 mismatch)`);
  }
  await rename(part, dest);
}
