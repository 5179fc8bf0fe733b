import { isErrorCode, ProblemDocumentSchema, RotoError } from '../contract/errors.ts';
import {
  type ExportFormatInfo,
  ExportFormatListSchema,
  type ExportJob,
  ExportJobListSchema,
  ExportJobSchema,
  exportFilePath,
  exportsPath,
  type StartExportBody,
  type StartExportResponse,
  StartExportResponseSchema,
} from '../contract/exports.ts';
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

/** Options of the export reads: the session's token (when access control is on), a signal. */
export interface ExportReadOptions {
  token?: string;
  signal?: AbortSignal;
}

/** Options of `startExport`: the objects to export, in this order (default all). */
export interface ExportCallOptions extends ExportReadOptions {
  objectIds?: number[];
}

function authHeader(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
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

  // ── exports (PROTOCOL R23, R24) ────────────────────────────────────────────────────────────────

  /** `GET /api/v1/export-formats`: every export format and the session kinds it applies to. */
  async listExportFormats(options: { signal?: AbortSignal } = {}): Promise<ExportFormatInfo[]> {
    const res = await this.request(`${this.baseUrl}/api/v1/export-formats`, {
      signal: options.signal ?? null,
    });
    return ExportFormatListSchema.parse(await res.json()).formats;
  }

  /**
   * `POST …/exports`: starts an export (editor or owner), or gets the job that already made the
   * same export of the unchanged session (`reused: true`). Progress and the end reach everyone in
   * the session as `export:*` notices; `getExport` reads them too. CONFLICT when nothing has a
   * mask yet, FORBIDDEN for a viewer.
   */
  async startExport(
    sessionId: string,
    format: string,
    options: ExportCallOptions = {},
  ): Promise<StartExportResponse> {
    const body: StartExportBody = { format, ...(options.objectIds ? { objectIds: options.objectIds } : {}) };
    const res = await this.request(`${this.baseUrl}${exportsPath(sessionId)}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...authHeader(options.token) },
      signal: options.signal ?? null,
    });
    return StartExportResponseSchema.parse(await res.json());
  }

  /** `GET …/exports`: the session's export jobs, oldest first (read it on join, then follow the notices). */
  async listExports(sessionId: string, options: ExportReadOptions = {}): Promise<ExportJob[]> {
    const res = await this.request(`${this.baseUrl}${exportsPath(sessionId)}`, {
      headers: authHeader(options.token),
      signal: options.signal ?? null,
    });
    return ExportJobListSchema.parse(await res.json()).exports;
  }

  /** `GET …/exports/:jobId`: one job's state, progress or file. */
  async getExport(sessionId: string, jobId: string, options: ExportReadOptions = {}): Promise<ExportJob> {
    const res = await this.request(`${this.baseUrl}${exportsPath(sessionId)}/${encodeURIComponent(jobId)}`, {
      headers: authHeader(options.token),
      signal: options.signal ?? null,
    });
    return ExportJobSchema.parse(await res.json());
  }

  /** `DELETE …/exports/:jobId`: cancels a queued or running export, or removes an ended one and its file. */
  async cancelExport(sessionId: string, jobId: string, options: ExportReadOptions = {}): Promise<void> {
    await this.request(`${this.baseUrl}${exportsPath(sessionId)}/${encodeURIComponent(jobId)}`, {
      method: 'DELETE',
      headers: authHeader(options.token),
      signal: options.signal ?? null,
    });
  }

  /**
   * The absolute URL of a finished export's file (an attachment; Range and ETag work). With
   * `token` it rides in the query, for an `<a href download>` that cannot send a header.
   */
  exportFileUrl(sessionId: string, jobId: string, token?: string): string {
    const url = `${this.baseUrl}${exportFilePath(sessionId, jobId)}`;
    return token ? `${url}?token=${encodeURIComponent(token)}` : url;
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
