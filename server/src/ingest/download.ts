import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { RotoError } from '@roto/shared';
import { SNIFF_BYTES, type SniffResult, sniffMedia } from '../media/sniff.ts';
import { guardedLookup, isPrivateAddress } from './address-guard.ts';

/** Limits of a URL download. */
export interface DownloadOptions {
  /** Refuse bodies larger than this (PAYLOAD_TOO_LARGE), declared or counted. */
  maxBytes: number;
  /** Allow loopback, private and link-local addresses (off by default: no requests into the LAN). */
  allowPrivate?: boolean;
  /** Time to wait for the response headers of each request; default 15 s. */
  headersTimeoutMs?: number;
  /** Longest silence while the body streams; default 30 s. */
  idleTimeoutMs?: number;
  /** Whole-download limit; default 30 minutes. */
  totalTimeoutMs?: number;
  /** Redirects followed at most; default 5. */
  maxRedirects?: number;
  signal?: AbortSignal;
  /** Bytes received so far and the declared total (0 when unknown). */
  onProgress?: (done: number, total: number) => void;
}

/** A finished download. */
export interface Downloaded {
  bytes: number;
  /** The URL the body came from, after redirects. */
  finalUrl: string;
  /** What the first bytes are (the URL's extension and Content-Type are not trusted). */
  sniffed: SniffResult;
}

const fail = (
  code: 'INVALID_INPUT' | 'TIMEOUT' | 'PAYLOAD_TOO_LARGE' | 'CANCELLED',
  message: string,
  details?: unknown,
) => new RotoError(code, message, details);

/** Turns a socket/DNS failure into what the user sees. */
function connectFailure(err: NodeJS.ErrnoException, url: URL): RotoError {
  const host = url.host;
  switch (err.code) {
    case 'ROTO_PRIVATE':
      return fail(
        'INVALID_INPUT',
        `${url.hostname} is on a private or loopback network, which the server does not download from.`,
        { host },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail('INVALID_INPUT', `The host name ${url.hostname} could not be resolved.`, { host });
    case 'ECONNREFUSED':
      return fail('INVALID_INPUT', `${host} refused the connection.`, { host });
    case 'ECONNRESET':
    case 'EPIPE':
      return fail('INVALID_INPUT', `${host} closed the connection before the download finished.`, { host });
    default:
      if (
        /certificate|SSL|TLS/i.test(err.message) ||
        err.code?.startsWith('ERR_TLS') ||
        err.code?.includes('CERT')
      )
        return fail('INVALID_INPUT', `The TLS certificate of ${host} was not accepted.`, { host });
      return fail('INVALID_INPUT', `Could not download from ${host} (${err.code ?? 'network error'}).`, {
        host,
      });
  }
}

/** Checks a user URL before any request: http(s) only, no credentials, no private literal addresses. */
function checkUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('INVALID_INPUT', 'The URL is not valid.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fail(
      'INVALID_INPUT',
      `Only http and https URLs can be downloaded, not ${url.protocol.replace(':', '')}.`,
    );
  }
  if (url.username || url.password)
    throw fail('INVALID_INPUT', 'URLs with a user name or password are not accepted.');
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(literal) !== 0 && isPrivateAddress(literal)) {
    throw connectFailure(Object.assign(new Error('private'), { code: 'ROTO_PRIVATE' }), url);
  }
  return url;
}

/**
 * Downloads a user-supplied http(s) URL to `dest`, deciding what it is from the first bytes: an
 * HTML page or a PDF is refused (UNSUPPORTED_MEDIA, saying what it is) as soon as those bytes
 * arrive. Follows up to `maxRedirects` redirects, checks every hop's address, and enforces the
 * size cap and timeouts. On any failure `dest` is removed. Errors: INVALID_INPUT (bad URL, HTTP
 * error status, network failure, too many redirects), TIMEOUT, PAYLOAD_TOO_LARGE,
 * UNSUPPORTED_MEDIA, CANCELLED.
 */
export async function downloadToFile(
  rawUrl: string,
  dest: string,
  options: DownloadOptions,
): Promise<Downloaded> {
  const allowPrivate = options.allowPrivate ?? false;
  const maxRedirects = options.maxRedirects ?? 5;
  const totalTimeoutMs = options.totalTimeoutMs ?? 30 * 60_000;
  const deadline = AbortSignal.timeout(totalTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let url = checkUrl(rawUrl, allowPrivate);
  try {
    for (let hop = 0; ; hop++) {
      const res = await openResponse(url, options, allowPrivate, signal, deadline, totalTimeoutMs);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        if (hop >= maxRedirects) {
          throw fail('INVALID_INPUT', `The URL redirected more than ${maxRedirects} times.`, {
            maxRedirects,
          });
        }
        url = checkUrl(new URL(location, url).toString(), allowPrivate);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        throw fail(
          'INVALID_INPUT',
          `${url.host} answered ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''} instead of the media file.`,
          { status },
        );
      }
      const declared = Number(res.headers['content-length'] ?? 0) || 0;
      if (declared > options.maxBytes) {
        res.destroy();
        throw tooLarge(declared, options.maxBytes);
      }
      const { bytes, sniffed } = await saveBody(
        res,
        dest,
        declared,
        options,
        signal,
        deadline,
        totalTimeoutMs,
      );
      return { bytes, finalUrl: url.toString(), sniffed };
    }
  } catch (err) {
    await rm(dest, { force: true });
    throw err;
  }
}

function tooLarge(bytes: number, maxBytes: number): RotoError {
  const mib = (n: number) => (n / 1024 / 1024).toLocaleString('en', { maximumFractionDigits: 1 });
  return fail(
    'PAYLOAD_TOO_LARGE',
    `The file at the URL is ${bytes >= maxBytes ? 'larger than' : 'about'} ${mib(Math.max(bytes, maxBytes))} MiB; the limit is ${mib(maxBytes)} MiB.`,
    { maxBytes },
  );
}

function abortReason(signal: AbortSignal, deadline: AbortSignal, totalTimeoutMs: number): RotoError {
  return deadline.aborted && !(signal.reason instanceof RotoError)
    ? fail('TIMEOUT', `The download took longer than ${Math.round(totalTimeoutMs / 1000)} s.`)
    : fail('CANCELLED', 'The download was cancelled.');
}

/** Sends the request and resolves with the response headers, or rejects on timeout or failure. */
function openResponse(
  url: URL,
  options: DownloadOptions,
  allowPrivate: boolean,
  signal: AbortSignal,
  deadline: AbortSignal,
  totalTimeoutMs: number,
): Promise<IncomingMessage> {
  const headersTimeoutMs = options.headersTimeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let req: ClientRequest;
    const timer = setTimeout(() => {
      req.destroy();
      reject(
        fail('TIMEOUT', `${url.host} did not answer within ${headersTimeoutMs / 1000} s.`, {
          host: url.host,
        }),
      );
    }, headersTimeoutMs);
    const onAbort = () => {
      clearTimeout(timer);
      req.destroy();
      reject(abortReason(signal, deadline, totalTimeoutMs));
    };
    req = send(
      url,
      {
        method: 'GET',
        headers: {
          'user-agent': 'Roto (media ingest)',
          accept: 'video/*, image/*;q=0.9, */*;q=0.1',
          'accept-encoding': 'identity',
        },
        ...(allowPrivate ? {} : { lookup: guardedLookup(url.host) as never }),
      },
      (res) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(res);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      reject(connectFailure(err, url));
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}

/** Streams the body to `dest`: sniffs the first bytes, counts against the cap, times out on silence. */
function saveBody(
  res: IncomingMessage,
  dest: string,
  declared: number,
  options: DownloadOptions,
  signal: AbortSignal,
  deadline: AbortSignal,
  totalTimeoutMs: number,
): Promise<{ bytes: number; sniffed: SniffResult }> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    let file: WriteStream | undefined;
    let head: Buffer[] = [];
    let headBytes = 0;
    let bytes = 0;
    let sniffed: SniffResult | undefined;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;

    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      signal.removeEventListener('abort', onAbort);
      if (err) {
        res.destroy();
        if (file) file.destroy();
        reject(err);
        return;
      }
      const done = () =>
        sniffed
          ? resolve({ bytes, sniffed })
          : reject(fail('INVALID_INPUT', 'The URL returned an empty body.'));
      if (file) file.end(done);
      else done();
    };
    const onAbort = () => finish(abortReason(signal, deadline, totalTimeoutMs));
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => finish(fail('TIMEOUT', `The download stalled: nothing arrived for ${idleTimeoutMs / 1000} s.`)),
        idleTimeoutMs,
      );
    };
    const startFile = (): boolean => {
      try {
        sniffed = sniffMedia(Buffer.concat(head, headBytes));
      } catch (err) {
        finish(err as Error);
        return false;
      }
      file = createWriteStream(dest);
      file.on('error', (err) => finish(err));
      file.write(Buffer.concat(head, headBytes));
      head = [];
      return true;
    };

    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    armIdle();
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      armIdle();
      bytes += chunk.length;
      if (bytes > options.maxBytes) return finish(tooLarge(bytes, options.maxBytes));
      options.onProgress?.(bytes, declared);
      if (!file) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= SNIFF_BYTES) startFile();
        return;
      }
      // Back-pressure: a slow disk pauses the socket instead of buffering the video in memory.
      if (!file.write(chunk)) {
        res.pause();
        file.once('drain', () => res.resume());
      }
    });
    res.on('end', () => {
      if (settled) return;
      if (declared > 0 && bytes < declared) {
        return finish(fail('INVALID_INPUT', `The download was cut off after ${bytes} of ${declared} bytes.`));
      }
      if (!file && headBytes > 0 && !startFile()) return;
      finish(null);
    });
    res.on('error', (err: NodeJS.ErrnoException) =>
      finish(fail('INVALID_INPUT', `The download failed (${err.code ?? err.message}).`)),
    );
    res.on('aborted', () =>
      finish(fail('INVALID_INPUT', 'The server closed the connection before the download finished.')),
    );
  });
}
