/**
 * Errors raised by the inference engine: `RotoError`s from the shared contract, so the edge turns
 * them into acks and problem bodies like any other; the message is phrased for the person who can
 * fix it, `details.reason` tells pack failures apart.
 */
import { type ErrorCode, RotoError } from '@roto/shared';

/** The subset of the shared error codes the engine raises. */
export type InferenceErrorCode = Extract<
  ErrorCode,
  'INVALID_INPUT' | 'MODEL_UNAVAILABLE' | 'INTERNAL' | 'UNSUPPORTED_MEDIA' | 'NOT_FOUND'
>;

/** An engine failure with a precise code and a user-facing message. */
export class InferenceError extends RotoError {
  declare readonly code: InferenceErrorCode;
  declare readonly details?: Record<string, unknown>;

  constructor(code: InferenceErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
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
