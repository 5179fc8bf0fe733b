/**
 * Buffered text output for the JSON exports: a sink that writes to a file in large chunks, and
 * spill files that hold per-object parts of a document until it is assembled (so a long video's
 * annotations never sit in memory at once).
 */
import { createReadStream } from 'node:fs';
import { appendFile, type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';

const FLUSH_AT = 1 << 20;

/** Appends text to a file, flushing every megabyte. */
export class TextSink {
  private buffered: string[] = [];
  private size = 0;

  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string): Promise<TextSink> {
    return new TextSink(await open(path, 'w'));
  }

  async write(text: string): Promise<void> {
    this.buffered.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) await this.flush();
  }

  /** Copies a file's content into the output (after what was written so far). */
  async copyFrom(path: string): Promise<void> {
    await this.flush();
    for await (const chunk of createReadStream(path)) await this.fh.write(chunk as Buffer);
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.buffered.join('');
    this.buffered = [];
    this.size = 0;
    await this.fh.write(text);
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.fh.close();
    }
  }

  /** Closes without flushing (the caller removes the file). */
  async abandon(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}

/** Text parts kept on disk in a folder of their own, one file per key; `dispose` removes them all. */
export class SpillFiles {
  private readonly pending = new Map<number, string[]>();
  private readonly sizes = new Map<number, number>();
  private made = false;

  constructor(private readonly dir: string) {}

  /** Appends `text` to part `key`. */
  async append(key: number, text: string): Promise<void> {
    const list = this.pending.get(key) ?? [];
    list.push(text);
    this.pending.set(key, list);
    const size = (this.sizes.get(key) ?? 0) + text.length;
    this.sizes.set(key, size);
    if (size >= FLUSH_AT / 4) await this.flushKey(key);
  }

  /** The path of part `key`, with everything appended so far on disk. */
  async path(key: number): Promise<string> {
    await this.flushKey(key);
    return this.file(key);
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private file(key: number): string {
    return join(this.dir, `${key}.part`);
  }

  private async flushKey(key: number): Promise<void> {
    if (!this.made) {
      await mkdir(this.dir, { recursive: true });
      this.made = true;
    }
    const list = this.pending.get(key) ?? [];
    this.pending.set(key, []);
    this.sizes.set(key, 0);
    await appendFile(this.file(key), list.join(''));
  }
}
