import { type ErrorCode, RotoError } from '@roto/shared';

/**
 * Errors raised by the media layer. A `MediaError` is a `RotoError`, so the HTTP and socket edges
 * turn it into a result like any other; it adds a finer `reason` that tests and logs can tell
 * apart (`TRUNCATED` and `UNREADABLE` are both `INVALID_INPUT` to a client). Messages are written
 * for the person who uploaded the file and never contain server paths.
 */

/** The shared error codes that media work can raise. */
export type MediaErrorCode = Extract<
  ErrorCode,
  | 'INVALID_INPUT'
  | 'UNSUPPORTED_MEDIA'
  | 'PAYLOAD_TOO_LARGE'
  | 'CANCELLED'
  | 'CONFLICT'
  | 'TIMEOUT'
  | 'INTERNAL'
>;

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
export class MediaError extends RotoError {
  override readonly name: string = 'MediaError';
  declare readonly code: MediaErrorCode;
  readonly reason: MediaErrorReason;
  declare readonly details?: Record<string, unknown>;

  constructor(
    code: MediaErrorCode,
    reason: MediaErrorReason,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
    this.reason = reason;
  }
}

/** True for a `MediaError`, optionally of one reason (handy in `catch` blocks and tests). */
export function isMediaError(err: unknown, reason?: MediaErrorReason): err is MediaError {
  return err instanceof MediaError && (reason === undefined || err.reason === reason);
}
