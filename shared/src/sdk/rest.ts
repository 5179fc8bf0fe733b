import { isErrorCode, ProblemDocumentSchema, RotoError } from '../contract/errors.ts';
import {
  type SessionCreated,
  SessionCreatedSchema,
  type SessionDetails,
  SessionDetailsSchema,
} from '../contract/ingest.ts';

/** The REST prefix of sessions. */
export const SESSIONS_API_PATH = '/api/v1/sessions';

/**
 * What a session is made from, exactly one of:
 * - `file`: a video or image file, uploaded as multipart (`Blob`/`File` in browsers; in Node a
 *   `Blob` from `fileFromPath` of `@roto/shared/sdk/node`, or bytes), with an optional `fileName`;
 * - `image`: image bytes or a base64 string / data URL (a one-frame session);
 * - `url`: an http(s) address of a video or image the server downloads.
 */
export type SessionSource =
  | { file: Blob | Uint8Array; fileName?: string }
  | { image: Uint8Array | string }
  | { url: string };

/** Options of `createSession`. */
export interface CreateSessionOptions {
  /** Answer only once ingest has finished (status `ready`), or fail with the ingest error. */
  wait?: boolean;
  signal?: AbortSignal;
}

/** Options of `RotoApi`. */
export interface RotoApiOptions {
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** Extra headers on every request (e.g. an `Authorization` header for a proxy in front of Roto). */
  headers?: Record<string, string>;
}

/**
 * The REST side of a Roto server: sessions from media, their details, frame URLs. Failures
 * reject with a `RotoError` carrying the problem document's `code`, `detail` and `details`.
 *
 * ```ts
 * const api = new RotoApi('http://127.0.0.1:8080');
 * const { sessionId } = await api.createSession({ url: 'https://example.com/clip.mp4' }, { wait: true });
 * ```
 */
export class RotoApi {
  /** The server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, options: RotoApiOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.headers = options.headers ?? {};
  }

  /** `POST /api/v1/sessions`: makes a session from a file, an image or a URL. */
  async createSession(source: SessionSource, options: CreateSessionOptions = {}): Promise<SessionCreated> {
    const url = `${this.baseUrl}${SESSIONS_API_PATH}${options.wait ? '?wait=true' : ''}`;
    let init: RequestInit;
    if ('file' in source) {
      const form = new FormData();
      const blob =
        source.file instanceof Blob ? source.file : new Blob([source.file as Uint8Array<ArrayBuffer>]);
      const name =
        source.fileName ?? (typeof File !== 'undefined' && blob instanceof File ? blob.name : 'upload');
      form.append('file', blob, name);
      init = { method: 'POST', body: form };
    } else {
      const body =
        'image' in source
          ? { image: typeof source.image === 'string' ? source.image : toBase64(source.image) }
          : { url: source.url };
      init = { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    }
    const res = await this.request(url, { ...init, signal: options.signal ?? null });
    return SessionCreatedSchema.parse(await res.json());
  }

  /** `GET /api/v1/sessions/:id`: media, ingest status and progress, disk use, links. */
  async getSession(sessionId: string, options: { signal?: AbortSignal } = {}): Promise<SessionDetails> {
    const res = await this.request(`${this.baseUrl}${SESSIONS_API_PATH}/${encodeURIComponent(sessionId)}`, {
      signal: options.signal ?? null,
    });
    return SessionDetailsSchema.parse(await res.json());
  }

  /** The URL of frame `n` (0-based) of a session as a JPEG, e.g. for an `<img src>`. */
  frameUrl(sessionId: string, n: number): string {
    return `${this.baseUrl}${SESSIONS_API_PATH}/${encodeURIComponent(sessionId)}/frames/${n}`;
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    const headers = { ...this.headers, ...(init.headers as Record<string, string> | undefined) };
    let res: Response;
    try {
      res = await this.fetch(url, { ...init, headers });
    } catch (err) {
      if (init.signal?.aborted)
        throw new RotoError('CANCELLED', 'The request was cancelled', undefined, { cause: err });
      throw new RotoError('INTERNAL', `Could not reach ${this.baseUrl}`, undefined, { cause: err });
    }
    if (res.ok) return res;
    throw await problemError(res);
  }
}

/** The RotoError of a failed response: from its problem document, else from the status alone. */
async function problemError(res: Response): Promise<RotoError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const problem = ProblemDocumentSchema.safeParse(body);
  if (problem.success) return new RotoError(problem.data.code, problem.data.detail, problem.data.details);
  const code = statusCode(res.status);
  return new RotoError(code, `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

function statusCode(status: number) {
  const byStatus: Record<number, string> = {
    400: 'INVALID_INPUT',
    401: 'UNAUTHORIZED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA',
    429: 'RATE_LIMITED',
    503: 'BUSY',
    504: 'TIMEOUT',
  };
  const code = byStatus[status];
  return code !== undefined && isErrorCode(code) ? code : 'INTERNAL';
}

/** Base64 of bytes without Node's Buffer (browsers have `btoa`, Node ≥ 16 too). */
function toBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}
