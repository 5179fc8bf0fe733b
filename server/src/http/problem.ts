import {
  ERROR_TITLES,
  type ErrorCode,
  isErrorCode,
  type ProblemDocument,
  problemFor,
  toProblem as sharedToProblem,
} from '@roto/shared';

/** A response to send for an error: status, problem body, extra headers, and whether it is a bug. */
export interface ProblemResponse {
  status: number;
  body: ProblemDocument;
  headers: Record<string, string>;
  /** True for unexpected errors: log them with their stack (which never reaches the client). */
  unexpected: boolean;
}

/** The code of a 4xx status that came without one (Koa's `ctx.throw(401)`, the router's 405…). */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA';
    case 429:
      return 'RATE_LIMITED';
    default:
      return 'INVALID_INPUT';
  }
}

/** A Koa / http-errors client error: a 4xx `status` and no shared `code`. */
function clientHttpStatus(err: unknown): number | undefined {
  if (!(err instanceof Error) || isErrorCode((err as { code?: unknown }).code)) return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const s = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  return s !== undefined && s >= 400 && s < 500 ? s : undefined;
}

/**
 * Turns anything thrown by a handler into an RFC 9457 problem response. The shared contract's
 * `toProblem` decides for errors with a shared `code` (RotoError, engine, media, lane errors: code
 * and message kept), ZodErrors (INVALID_INPUT with every issue) and the rest (INTERNAL, fixed
 * message). On top of it: a Koa / http-errors 4xx keeps its status (405 stays 405, with `Allow`)
 * and its message only when marked `expose`; an INTERNAL detail quotes the request id, so a user's
 * report finds the logged stack.
 */
export function toProblem(err: unknown, requestId: string): ProblemResponse {
  const httpStatus = clientHttpStatus(err);
  if (httpStatus !== undefined) {
    const e = err as Error & { expose?: unknown; headers?: unknown };
    const code = codeForStatus(httpStatus);
    const body = problemFor(code, e.expose === true ? e.message : ERROR_TITLES[code]);
    body.status = httpStatus;
    return { status: httpStatus, body, headers: stringHeaders(e.headers), unexpected: false };
  }
  const body = sharedToProblem(err);
  if (body.code === 'INTERNAL') {
    body.detail = `Something went wrong on the server. Quote request id ${requestId} when reporting it.`;
  }
  const retry = body.code === 'BUSY' || body.code === 'RATE_LIMITED';
  return {
    status: body.status,
    body,
    headers: retry ? { 'Retry-After': '1' } : {},
    unexpected: body.code === 'INTERNAL',
  };
}

/** Keeps only the string headers an http-error asked for (e.g. `Allow` on a 405). */
function stringHeaders(headers: unknown): Record<string, string> {
  if (!headers || typeof headers !== 'object') return {};
  return Object.fromEntries(
    Object.entries(headers as Record<string, unknown>).filter(
      (kv): kv is [string, string] => typeof kv[1] === 'string',
    ),
  );
}
