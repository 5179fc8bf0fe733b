import { z } from 'zod';

/**
 * Every error a user can see carries one of these codes, over Socket.IO acks and REST alike.
 * Clients branch on the code, never on the message (messages are for people and may change).
 */
export const ErrorCodeSchema = z.enum([
  'INVALID_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'BUSY',
  'MODEL_UNAVAILABLE',
  'RATE_LIMITED',
  'CANCELLED',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA',
  'PROTOCOL_MISMATCH',
  'TIMEOUT',
  'INTERNAL',
]);

/** One of the shared error codes. */
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** All error codes, in declaration order (handy for exhaustive tests and docs). */
export const ERROR_CODES: readonly ErrorCode[] = ErrorCodeSchema.options;

/** True when `value` is one of the shared error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return ErrorCodeSchema.safeParse(value).success;
}

/**
 * The HTTP status a REST response carries for each code.
 *
 * CANCELLED and TIMEOUT follow the gRPC → HTTP mapping (499 "client closed request", 504) so a
 * proxy log reads the same as a gRPC one; PROTOCOL_MISMATCH is 400 rather than 426 because 426
 * obliges an `Upgrade` header naming another protocol, which is not what happened.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA: 415,
  RATE_LIMITED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  BUSY: 503,
  MODEL_UNAVAILABLE: 503,
  TIMEOUT: 504,
  PROTOCOL_MISMATCH: 400,
});

/** Short human titles, used as the `title` of a problem document (RFC 9457 §3.1.3). */
export const ERROR_TITLES: Readonly<Record<ErrorCode, string>> = Object.freeze({
  INVALID_INPUT: 'Invalid input',
  NOT_FOUND: 'Not found',
  FORBIDDEN: 'Forbidden',
  UNAUTHORIZED: 'Unauthorized',
  BUSY: 'Busy',
  MODEL_UNAVAILABLE: 'Model unavailable',
  RATE_LIMITED: 'Rate limited',
  CANCELLED: 'Cancelled',
  CONFLICT: 'Conflict',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA: 'Unsupported media',
  PROTOCOL_MISMATCH: 'Protocol mismatch',
  TIMEOUT: 'Timeout',
  INTERNAL: 'Internal error',
});

/**
 * An error meant to reach a user: its `code` and `message` are sent as they are, so the message
 * must be written for the person reading it and must not contain internals (paths, stack traces).
 * `details` carries machine-readable context (e.g. `{ index: 3 }` for the offending point).
 */
export class RotoError extends Error {
  override readonly name: string = 'RotoError';
  readonly code: ErrorCode;
  // `declare`: no own property at all when there are no details (a class field would add `details: undefined`).
  declare readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** True for a RotoError, including one from a second copy of this package (bundlers can duplicate it). */
export function isRotoError(err: unknown): err is RotoError {
  if (err instanceof RotoError) return true;
  return err instanceof Error && err.name === 'RotoError' && isErrorCode((err as { code?: unknown }).code);
}

/** URI prefix of a problem document's `type`; a URN because the type names a code, not a web page. */
export const PROBLEM_TYPE_PREFIX = 'urn:roto:problem:';

/** The `type` URI of a problem document for `code`, e.g. `urn:roto:problem:not-found`. */
export function problemType(code: ErrorCode): string {
  return PROBLEM_TYPE_PREFIX + code.toLowerCase().replaceAll('_', '-');
}

/**
 * The body of every REST error response (`Content-Type: application/problem+json`, RFC 9457),
 * extended with the same `code` and `details` a Socket.IO ack would carry.
 */
export const ProblemDocumentSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  code: ErrorCodeSchema,
  details: z.unknown().optional(),
  /** Optional URI reference of this occurrence (RFC 9457 §3.1.5), e.g. the request path. */
  instance: z.string().optional(),
});

/** An RFC 9457 problem document with Roto's `code` extension. */
export type ProblemDocument = z.infer<typeof ProblemDocumentSchema>;

/** Builds the problem document for a code and a user-facing message. */
export function problemFor(code: ErrorCode, message: string, details?: unknown): ProblemDocument {
  const doc: ProblemDocument = {
    type: problemType(code),
    title: ERROR_TITLES[code],
    status: HTTP_STATUS[code],
    detail: message,
    code,
  };
  if (details !== undefined) doc.details = details;
  return doc;
}
