import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isErrno, StorageError } from './errors.ts';
import { type WalkedFile, walkFiles } from './walk.ts';

/**
 * Per-session storage for derived artifacts (decoded frames, thumbnails, exports). Unlike the op
 * log these can be rebuilt from the source video and the log, so writes are atomic (a reader
 * never sees half a file) but not fsynced.
 */
export interface BlobArea {
  /** Writes `data` under `name` (e.g. `frames/000042.jpg`), replacing any previous content. */
  write(sessionId: string, name: string, data: Uint8Array): Promise<void>;
  /** Reads a blob; NOT_FOUND when absent. */
  read(sessionId: string, name: string): Promise<Buffer>;
  /**
   * Absolute path for `name` with its folder created, for tools that write files themselves
   * (ffmpeg decoding frames). The session must exist.
   */
  prepare(sessionId: string, name: string): Promise<string>;
  /** Removes a blob or a whole folder of blobs; absent names are not an error. */
  remove(sessionId: string, name: string): Promise<void>;
  /** Blobs under `prefix` (default: all), names relative to the blob area. */
  list(sessionId: string, prefix?: string): Promise<WalkedFile[]>;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Checks a blob name: `/`-separated segments of letters, digits, `._-`, none starting with a dot. */
export function checkBlobName(name: string): string[] {
  const segments = name.split('/');
  if (segments.length > 8 || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new StorageError(
      'INVALID_INPUT',
      'blob names are up to 8 segments of [A-Za-z0-9._-], not starting with "."',
      {
        name,
      },
    );
  }
  return segments;
}

/** The blob area of sessions stored as folders: `<sessionDir>/blobs/<name>`. */
export class FileBlobArea implements BlobArea {
  /** `sessionDir(id)` must validate the id and return the session's folder. */
  constructor(private readonly sessionDir: (sessionId: string) => string) {}

  async write(sessionId: string, name: string, data: Uint8Array): Promise<void> {
    const path = await this.prepare(sessionId, name);
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, path);
  }

  async read(sessionId: string, name: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(sessionId, name));
    } catch (err) {
      if (isErrno(err, 'ENOENT'))
        throw new StorageError('NOT_FOUND', `no blob "${name}" in session ${sessionId}`);
      throw err;
    }
  }

  async prepare(sessionId: string, name: string): Promise<string> {
    const path = this.pathOf(sessionId, name);
    try {
      await stat(this.sessionDir(sessionId));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new StorageError('NOT_FOUND', `session ${sessionId} does not exist`);
      throw err;
    }
    await mkdir(dirname(path), { recursive: true });
    return path;
  }

  async remove(sessionId: string, name: string): Promise<void> {
    await rm(this.pathOf(sessionId, name), { recursive: true, force: true });
  }

  async list(sessionId: string, prefix?: string): Promise<WalkedFile[]> {
    const root = prefix === undefined ? this.root(sessionId) : this.pathOf(sessionId, prefix);
    const files = await walkFiles(root, prefix ?? '');
    return files.filter((file) => !file.name.endsWith('.tmp'));
  }

  private root(sessionId: string): string {
    return join(this.sessionDir(sessionId), 'blobs');
  }

  private pathOf(sessionId: string, name: string): string {
    return join(this.root(sessionId), ...checkBlobName(name));
  }
}
