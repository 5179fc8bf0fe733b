/**
 * A small streaming zip writer: entries are written one after another straight to the file (only
 * the central directory, a few dozen bytes per entry, stays in memory). Stored or deflated
 * entries, UTF-8 names, no zip64: an archive is refused past 65 535 entries or 4 GiB.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import { RotoError } from '@roto/shared';
import { crc32 } from '../storage/crc32.ts';

const deflateRawAsync = promisify(deflateRaw);

const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8_FLAG = 0x0800;

interface CentralEntry {
  name: Buffer;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** DOS date and time of `d` (local time, 2-second precision), as zip headers store them. */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

function tooLarge(): RotoError {
  return new RotoError(
    'PAYLOAD_TOO_LARGE',
    'The export is too large for one zip file (4 GiB or 65 535 files); export fewer frames or objects',
  );
}

/** Writes a zip archive entry by entry. Call {@link ZipWriter.close} to finish it. */
export class ZipWriter {
  private readonly entries: CentralEntry[] = [];
  private offset = 0;
  private readonly stamp = dosDateTime(new Date());

  private constructor(private readonly fh: FileHandle) {}

  /** Creates (truncates) the archive at `path`. */
  static async create(path: string): Promise<ZipWriter> {
    return new ZipWriter(await open(path, 'w'));
  }

  /**
   * Adds a file. `deflate` compresses it (worth it for text and raw data, not for PNG/JPEG, which
   * are compressed already and are better stored).
   */
  async add(name: string, data: Uint8Array, deflate = false): Promise<void> {
    if (this.entries.length >= MAX_ENTRIES) throw tooLarge();
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    let body: Uint8Array = data;
    let method = 0;
    if (deflate) {
      const packed = await deflateRawAsync(data);
      if (packed.length < data.length) {
        body = packed;
        method = 8;
      }
    }
    if (this.offset + 30 + nameBytes.length + body.length > MAX_OFFSET) throw tooLarge();
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    header.writeUInt16LE(UTF8_FLAG, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(this.stamp.time, 10);
    header.writeUInt16LE(this.stamp.date, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(body.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    this.entries.push({
      name: nameBytes,
      method,
      crc,
      compressed: body.length,
      size: data.length,
      offset: this.offset,
    });
    await this.write(header);
    await this.write(nameBytes);
    await this.write(body);
  }

  /** Writes the central directory and closes the file. */
  async close(): Promise<void> {
    try {
      const start = this.offset;
      for (const e of this.entries) {
        const h = Buffer.alloc(46);
        h.writeUInt32LE(0x02014b50, 0);
        h.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, spec 2.0
        h.writeUInt16LE(20, 6);
        h.writeUInt16LE(UTF8_FLAG, 8);
        h.writeUInt16LE(e.method, 10);
        h.writeUInt16LE(this.stamp.time, 12);
        h.writeUInt16LE(this.stamp.date, 14);
        h.writeUInt32LE(e.crc, 16);
        h.writeUInt32LE(e.compressed, 20);
        h.writeUInt32LE(e.size, 24);
        h.writeUInt16LE(e.name.length, 28);
        // extra, comment, disk number start, internal attributes: 0
        h.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
        h.writeUInt32LE(e.offset, 42);
        await this.write(h);
        await this.write(e.name);
      }
      const size = this.offset - start;
      if (this.offset > MAX_OFFSET) throw tooLarge();
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(this.entries.length, 8);
      end.writeUInt16LE(this.entries.length, 10);
      end.writeUInt32LE(size, 12);
      end.writeUInt32LE(start, 16);
      await this.write(end);
    } finally {
      await this.fh.close();
    }
  }

  /** Closes the file without finishing the archive (the caller removes it). */
  async abandon(): Promise<void> {
    await this.fh.close().catch(() => {});
  }

  private async write(buf: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done);
      done += bytesWritten;
    }
    this.offset += buf.length;
  }
}

/** Runs `fill(zip)` on a new archive at `path`, finishing it on success and closing it either way. */
export async function writeZip(path: string, fill: (zip: ZipWriter) => Promise<void>): Promise<void> {
  const zip = await ZipWriter.create(path);
  try {
    await fill(zip);
  } catch (err) {
    await zip.abandon();
    throw err;
  }
  await zip.close();
}
