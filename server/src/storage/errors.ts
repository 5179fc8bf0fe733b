import { type ErrorCode, RotoError } from '@roto/shared';

/** The codes storage raises: a subset of the shared error-code enum. */
export type StorageErrorCode = Extract<
  ErrorCode,
  'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'PAYLOAD_TOO_LARGE' | 'INTERNAL'
>;

/**
 * A storage failure with a precise code. It is a `RotoError`, so the edges pass it to users as is:
 * messages and details never hold file paths (those go to the log, and to `cause`).
 */
export class StorageError extends RotoError {
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(code, message, details, cause === undefined ? undefined : { cause });
  }
}

/**
 * Where storage reports what it repaired or could not read. Defaults to `console`; the server's
 * `observability/logger.ts` Logger fits this shape.
 */
export interface StorageLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

export const consoleLogger: StorageLogger = {
  warn: (message, details) => console.warn(`[storage] ${message}`, details ?? ''),
};

/** True for an fs error with the given errno code (ENOENT, EEXIST, ...). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
