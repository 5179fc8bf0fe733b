import { type ErrorCode, HTTP_STATUS, isErrorCode } from '@roto/shared';

/** A REST failure as the user sees it: the shared code and the server's message (RFC 9457 `detail`). */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** The shared code for an HTTP status, for answers without one (the first code mapped to it). */
function codeForStatus(status: number): ErrorCode {
  const hit = (Object.entries(HTTP_STATUS) as Array<[ErrorCode, number]>).find(([, s]) => s === status);
  return hit?.[0] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_INPUT');
}

/** Reads a problem document (or anything else a failed response carries) into an ApiError. */
export function problemToError(status: number, bodyText: string): ApiError {
  try {
    const body = JSON.parse(bodyText) as { code?: unknown; detail?: unknown; title?: unknown };
    const code = isErrorCode(body.code) ? body.code : codeForStatus(status);
    const message =
      typeof body.detail === 'string'
        ? body.detail
        : typeof body.title === 'string'
          ? body.title
          : `HTTP ${status}`;
    return new ApiError(code, message, status);
  } catch {
    return new ApiError(codeForStatus(status), `The server answered ${status}.`, status);
  }
}

/** A request with JSON in and out; throws ApiError with the server's message on failure. */
export async function requestJson<T>(
  url: string,
  init: { method?: string; token?: string | undefined; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    throw new ApiError('INTERNAL', 'Cannot reach the server. Check your connection.', 0);
  }
  if (!res.ok) throw problemToError(res.status, await res.text());
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** GET a JSON resource (with the session's token when it has one); throws ApiError on failure. */
export async function getJson<T>(url: string, token?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  } catch {
    throw new ApiError('INTERNAL', 'Cannot reach the server. Check your connection.', 0);
  }
  if (!res.ok) throw problemToError(res.status, await res.text());
  return (await res.json()) as T;
}
