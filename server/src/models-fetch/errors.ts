import { type ErrorCode, RotoError } from '@roto/shared';

/**
 * Errors of `models:fetch` / `models:list`, phrased for the person at the terminal.
 *
 * `code` is one of the project-wide error codes (the shared contract's enum); `reason` says
 * precisely what went wrong so that callers (the CLI, a later `roto` command, the server's
 * model status) can react without parsing messages.
 */

/** The shared error codes this module raises. */
export type FetchErrorCode = Extract<
  ErrorCode,
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'MODEL_UNAVAILABLE'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'INTERNAL'
>;

/** What exactly failed. */
export type FetchFailure =
  | 'pack-not-found'
  | 'manifest-invalid'
  | 'file-missing'
  | 'http-status'
  | 'checksum-mismatch'
  | 'size-mismatch'
  | 'dns'
  | 'network'
  | 'no-space'
  | 'filesystem';

/**
 * A fetch/verify failure: a `RotoError` whose `details.reason` says precisely what failed.
 * `retryable` failures are retried with backoff by the downloader.
 */
export class FetchError extends RotoError {
  declare readonly code: FetchErrorCode;
  readonly reason: FetchFailure;
  readonly retryable: boolean;

  constructor(
    code: FetchErrorCode,
    reason: FetchFailure,
    message: string,
    options: { retryable?: boolean; status?: number; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, {
      reason,
      ...(options.status ? { status: options.status } : {}),
      ...options.details,
    });
    this.reason = reason;
    this.retryable = options.retryable === true;
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function errnoCode(err: unknown): string | undefined {
  // fetch() wraps socket errors: TypeError('fetch failed', { cause: { code } }).
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns whatever a download attempt threw into a `FetchError`, deciding whether a retry can help.
 * `url` and `path` only enrich the message.
 */
export function classifyError(err: unknown, url: string, path: string): FetchError {
  if (err instanceof FetchError) return err;
  const code = errnoCode(err);
  const host = safeHost(url);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') {
    return new FetchError(
      'MODEL_UNAVAILABLE',
      'dns',
      `cannot resolve ${host} (${code}): check the internet connection, DNS or proxy settings of this machine`,
      { retryable: code === 'EAI_AGAIN' },
    );
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new FetchError(
      'PAYLOAD_TOO_LARGE',
      'no-space',
      `no space left on the device while writing ${path}: free some space and run the same command again to resume`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new FetchError(
      'FORBIDDEN',
      'filesystem',
      `cannot write ${path} (${code}): check the folder's permissions`,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  if (
    (code && NETWORK_CODES.has(code)) ||
    message === 'terminated' ||
    message === 'fetch failed' ||
    (err instanceof Error && err.name === 'AbortError')
  ) {
    return new FetchError('MODEL_UNAVAILABLE', 'network', `connection to ${host} lost (${code ?? message})`, {
      retryable: true,
    });
  }
  return new FetchError('INTERNAL', 'network', `download from ${host} failed: ${message}`);
}

/** The error for a non-2xx HTTP answer. 5xx and 429 are worth retrying; 4xx are not. */
export function httpError(status: number, url: string): FetchError {
  const where = `${url} answered HTTP ${status}`;
  switch (status) {
    case 404:
    case 410:
      return new FetchError(
        'NOT_FOUND',
        'http-status',
        `${where}: the file is not there (moved or renamed upstream?)`,
        {
          status,
        },
      );
    case 401:
      return new FetchError('UNAUTHORIZED', 'http-status', `${where}: the server wants credentials`, {
        status,
      });
    case 403:
      return new FetchError(
        'FORBIDDEN',
        'http-status',
        `${where}: access denied (the file may be private, or this network blocks it)`,
        { status },
      );
    case 429:
      return new FetchError('RATE_LIMITED', 'http-status', `${where}: too many requests, try again later`, {
        status,
        retryable: true,
      });
    default:
      return new FetchError(
        status >= 500 ? 'MODEL_UNAVAILABLE' : 'INVALID_INPUT',
        'http-status',
        status >= 500 ? `${where}: the server failed` : where,
        { status, retryable: status >= 500 },
      );
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
