import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { RotoError } from '@roto/shared';
import type { AppContext } from '../context.ts';

/** Decoded frames and sprites never change once written: caches may keep them for a year. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/** True when an `If-None-Match` header lists `etag` (or is `*`); weak comparison, as RFC 9110 §13.1.2 asks. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}

/**
 * Sends a file that never changes, with a strong ETag (size and modification time: the file is
 * written once, atomically) and a year of caching; answers 304 to a matching `If-None-Match`.
 * A missing file (removed by a concurrent delete or a failed ingest) is CONFLICT.
 */
export async function sendImmutableFile(ctx: AppContext, path: string, type: string): Promise<void> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      throw new RotoError(
        'CONFLICT',
        'This file is not available right now: the session is being changed or was deleted.',
      );
    }
    throw err;
  });
  const etag = `"${info.size.toString(36)}-${Math.trunc(info.mtimeMs).toString(36)}-${info.ino.toString(36)}"`;
  ctx.set('ETag', etag);
  ctx.set('Cache-Control', IMMUTABLE_CACHE);
  if (etagMatches(ctx.get('If-None-Match'), etag)) {
    ctx.status = 304;
    return;
  }
  ctx.type = type;
  ctx.length = info.size;
  ctx.body = createReadStream(path);
}
