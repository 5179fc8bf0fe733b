import { createHash } from 'node:crypto';
import { open, rename, rm, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyError, FetchError, httpError } from './errors.ts';
import { hashInto } from './hash.ts';
import { formatBytes, type ProgressSink } from './progress.ts';

/** How to download one file. */
export interface DownloadOptions {
  url: string;
  /** Final path; bytes go to `<dest>.part` until complete and verified. */
  dest: string;
  /** Size the manifest promises, checked against the server's and the result. */
  expectedBytes?: number;
  /** Pinned checksum; a mismatch deletes the part and fails. */
  sha256?: string;
  /** Retries after a network error or a 5xx/429 answer (default 5). */
  retries?: number;
  /** First backoff delay; doubled each retry (default 1000 ms). */
  backoffMs?: number;
  /** Abort an attempt when no byte arrives for this long (default 30 s). */
  idleTimeoutMs?: number;
  progress?: ProgressSink;
  /** Called before each retry with the failure and the wait. */
  onRetry?: (attempt: number, error: FetchError, delayMs: number) => void;
  signal?: AbortSignal;
}

/** What a finished download produced. */
export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** Bytes already on disk when the first attempt started (resumed download). */
  resumedFrom: number;
  /** Attempts made, 1 when nothing failed. */
  attempts: number;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Downloads `url` to `dest`: resumes an existing `<dest>.part` with an HTTP Range request, checks
 * the size against the manifest and the server, verifies the pinned sha256, then renames the part
 * into place (so `dest` only ever exists complete). Network failures are retried with exponential
 * backoff, each retry resuming where the last one stopped.
 */
export async function downloadFile(opts: DownloadOptions): Promise<DownloadResult> {
  const retries = opts.retries ?? 5;
  const backoff = opts.backoffMs ?? 1000;
  const part = `${opts.dest}.part`;
  const resumedFrom = await sizeOf(part);
  for (let attempt = 1; ; attempt++) {
    try {
      const { bytes, sha256 } = await attemptOnce(opts, part);
      await rename(part, opts.dest);
      return { bytes, sha256, resumedFrom, attempts: attempt };
    } catch (raw) {
      if (opts.signal?.aborted)
        throw new FetchError('CANCELLED', 'network', `download of ${opts.url} cancelled`);
      const err = classifyError(raw, opts.url, part);
      if (!err.retryable || attempt > retries) throw err;
      const delay = backoff * 2 ** (attempt - 1);
      opts.onRetry?.(attempt, err, delay);
      await sleep(delay, undefined, { signal: opts.signal }).catch(() => undefined);
    }
  }
}

/** One request: from the current end of the part to the end of the file. */
async function attemptOnce(opts: DownloadOptions, part: string): Promise<{ bytes: number; sha256: string }> {
  let offset = await sizeOf(part);
  if (opts.expectedBytes !== undefined && offset > opts.expectedBytes) {
    await rm(part, { force: true });
    offset = 0;
  }
  if (opts.expectedBytes !== undefined && offset === opts.expectedBytes && offset > 0) {
    // A previous run got every byte but stopped before verifying.
    return finish(opts, part, offset);
  }

  const idle = new AbortController();
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => idle.abort(), opts.idleTimeoutMs ?? 30_000);
  };
  const signal = opts.signal ? AbortSignal.any([opts.signal, idle.signal]) : idle.signal;
  armIdle();
  try {
    const res = await fetch(opts.url, {
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      redirect: 'follow',
      signal,
    });
    if (res.status === 416) {
      // The part claims bytes the server does not have: start over.
      await res.body?.cancel();
      await rm(part, { force: true });
      throw new FetchError('MODEL_UNAVAILABLE', 'network', `${opts.url} refused to resume; restarting`, {
        retryable: true,
      });
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw httpError(res.status, opts.url);
    }
    let total: number | undefined;
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== offset) {
        await res.body?.cancel();
        await rm(part, { force: true });
        throw new FetchError(
          'MODEL_UNAVAILABLE',
          'network',
          `${opts.url} resumed at the wrong offset; restarting`,
          {
            retryable: true,
          },
        );
      }
      total = m[3] === '*' ? undefined : Number(m[3]);
    } else {
      offset = 0; // The server ignored the Range header and sends the whole file.
      const length = res.headers.get('content-length');
      total = length === null ? undefined : Number(length);
    }
    total ??= opts.expectedBytes;
    if (opts.expectedBytes !== undefined && total !== opts.expectedBytes) {
      await res.body?.cancel();
      throw sizeMismatch(
        opts,
        `the server offers ${total} bytes but the manifest says ${opts.expectedBytes}`,
      );
    }
    if (total !== undefined) await ensureSpace(dirname(part), total - offset, part);

    const hash = createHash('sha256');
    if (offset > 0) await hashInto(hash, part, offset);
    const fh = await open(part, offset > 0 ? 'r+' : 'w');
    let received = offset;
    opts.progress?.start(total, offset);
    try {
      if (res.body) {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          armIdle();
          await fh.write(chunk, 0, chunk.length, received);
          hash.update(chunk);
          received += chunk.length;
          opts.progress?.update(received);
          if (total !== undefined && received > total) break;
        }
      }
    } finally {
      await fh.truncate(received).catch(() => undefined);
      await fh.close();
      opts.progress?.end();
    }
    if (total !== undefined && received < total) {
      throw new FetchError(
        'MODEL_UNAVAILABLE',
        'network',
        `connection closed after ${received} of ${total} bytes`,
        { retryable: true },
      );
    }
    if (total !== undefined && received > total) {
      await rm(part, { force: true });
      throw sizeMismatch(opts, `the server sent more than the ${total} bytes it announced`);
    }
    return finish(opts, part, received, hash.digest('hex'));
  } catch (err) {
    if (idle.signal.aborted && !opts.signal?.aborted) {
      throw new FetchError(
        'TIMEOUT',
        'network',
        `no data from ${opts.url} for ${(opts.idleTimeoutMs ?? 30_000) / 1000} s`,
        {
          retryable: true,
        },
      );
    }
    throw err;
  } finally {
    clearTimeout(idleTimer);
  }
}

/** Final checks on a complete part: size, then checksum. A bad part is deleted. */
async function finish(
  opts: DownloadOptions,
  part: string,
  bytes: number,
  digest?: string,
): Promise<{ bytes: number; sha256: string }> {
  if (opts.expectedBytes !== undefined && bytes !== opts.expectedBytes) {
    await rm(part, { force: true });
    throw sizeMismatch(opts, `got ${bytes} bytes, the manifest says ${opts.expectedBytes}`);
  }
  let sha256 = digest;
  if (sha256 === undefined) {
    const hash = createHash('sha256');
    await hashInto(hash, part);
    sha256 = hash.digest('hex');
  }
  if (opts.sha256 && sha256 !== opts.sha256) {
    await rm(part, { force: true });
    throw new FetchError(
      'CONFLICT',
      'checksum-mismatch',
      `checksum mismatch for ${opts.url}: expected sha256 ${opts.sha256}, got ${sha256}; the partial file was deleted`,
      { details: { expected: opts.sha256, actual: sha256 } },
    );
  }
  return { bytes, sha256 };
}

function sizeMismatch(opts: DownloadOptions, what: string): FetchError {
  return new FetchError('CONFLICT', 'size-mismatch', `size mismatch for ${opts.url}: ${what}`, {
    details: { expected: opts.expectedBytes },
  });
}

/** Fails early, before writing, when the disk cannot hold the rest of the file. */
async function ensureSpace(dir: string, needed: number, part: string): Promise<void> {
  let free: number;
  try {
    const s = await statfs(dir);
    free = s.bavail * s.bsize;
  } catch {
    return; // Not every filesystem reports free space; ENOSPC while writing still reports it.
  }
  if (needed > free) {
    throw new FetchError(
      'PAYLOAD_TOO_LARGE',
      'no-space',
      `not enough space for ${part}: ${formatBytes(needed)} needed, ${formatBytes(free)} free on that disk`,
    );
  }
}
