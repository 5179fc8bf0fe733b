/**
 * Errors the storage layer raises. Codes are a subset of the shared error-code enum
 * (`shared/src/contract/errors.ts`) so the session layer can pass them to users unchanged.
 */
export type StorageErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'PAYLOAD_TOO_LARGE' | 'INTERNAL';

/** A storage failure with a precise code; `details` is safe to show (no file contents). */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: StorageErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }
}

/** Where storage reports what it repaired or could not read. Defaults to `console`. */
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
