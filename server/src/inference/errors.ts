/**
 * Errors raised by the inference engine. Each carries a `code` from the shared error-code list
 * (`shared/src/contract/errors.ts`) so the edge can turn it into an ack or a problem body without
 * guessing; the message is phrased for the person who can fix it.
 */

/** The subset of the shared error codes the engine raises. */
export type InferenceErrorCode = 'INVALID_INPUT' | 'MODEL_UNAVAILABLE' | 'INTERNAL' | 'UNSUPPORTED_MEDIA' | 'NOT_FOUND';

/** An engine failure with a precise code and a user-facing message. */
export class InferenceError extends Error {
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'InferenceError';
  }
}

/** Shorthand for a MODEL_UNAVAILABLE error. */
export function modelUnavailable(message: string, details?: Record<string, unknown>): InferenceError {
  return new InferenceError('MODEL_UNAVAILABLE', message, details);
}

/** Shorthand for an INVALID_INPUT error. */
export function invalidInput(message: string, details?: Record<string, unknown>): InferenceError {
  return new InferenceError('INVALID_INPUT', message, details);
}
