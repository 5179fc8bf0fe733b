import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Feeds a file (or its first `end` bytes) into `hash`. */
export async function hashInto(hash: Hash, path: string, end?: number): Promise<void> {
  if (end === 0) return;
  const stream = createReadStream(path, end === undefined ? {} : { end: end - 1 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
}

/** The lowercase hex sha256 of a file. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(hash, path);
  return hash.digest('hex');
}
