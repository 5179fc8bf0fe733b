/**
 * Errors raised by the media layer. Every one carries a `code` from the shared error-code list
 * (so the HTTP and socket edges can map it straight to a result) and a finer `reason` that tests
 * and logs can tell apart (`TRUNCATED` and `UNREADABLE` are both `INVALID_INPUT` to a client).
 * Messages are written for the person who uploaded the file.
 */

/** The subset of the shared error codes that media work can raise. */
export type MediaErrorCode =
  | 'INVALID_INPUT'
  | 'UNSUPPORTED_MEDIA'
  | 'PAYLOAD_TOO_LARGE'
  | 'CANCELLED'
  | 'CONFLICT'
  | 'INTERNAL';

/** Why a media operation failed, one step finer than the code. */
export type MediaErrorReason =
  | 'EMPTY_FILE'
  | 'UNRECOGNISED_TYPE'
  | 'CONTAINER_NOT_ALLOWED'
  | 'NOT_A_VIDEO'
  | 'NO_VIDEO_STREAM'
  | 'NO_FRAMES'
  | 'UNSUPPORTED_CODEC'
  | 'UNREADABLE'
  | 'TRUNCATED'
  | 'TIMEOUT'
  | 'TOO_MANY_FRAMES'
  | 'DIMENSIONS_TOO_LARGE'
  | 'IMAGE_TOO_LARGE'
  | 'BAD_BASE64'
  | 'CANCELLED'
  | 'OUTPUT_EXISTS'
  | 'TOOL_UNAVAILABLE'
  | 'TOOL_FAILED';

/** A failure in media handling, safe to show to the user as `{ code, message, details }`. */
export class MediaError extends Error {
  override readonly name = 'MediaError';
  readonly code: MediaErrorCode;
  readonly reason: MediaErrorReason;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: MediaErrorCode,
    reason: MediaErrorReason,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

/** True for a `MediaError`, optionally of one reason (handy in `catch` blocks and tests). */
export function isMediaError(err: unknown, reason?: MediaErrorReason): err is MediaError {
  return err instanceof MediaError && (reason === undefined || err.reason === reason);
}
