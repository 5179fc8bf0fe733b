import { z } from 'zod';
import {
  type ErrorCode,
  ErrorCodeSchema,
  isErrorCode,
  isRotoError,
  type ProblemDocument,
  problemFor,
} from './errors.ts';

/** The error half of every ack: a shared code, a message for people, optional machine-readable context. */
export const ErrorBodySchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});

/** The error body of a failed ack. */
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** A failed ack: `{ ok: false, error }`. */
export const FailureSchema = z.object({ ok: z.literal(false), error: ErrorBodySchema });

/** A failed ack. */
export type Failure = z.infer<typeof FailureSchema>;

/** A successful ack carrying `data`. */
export interface Success<T> {
  ok: true;
  data: T;
}

/**
 * What every Socket.IO acknowledgement (and SDK call) resolves to: `{ ok: true, data }` or
 * `{ ok: false, error: { code, message, details? } }`. Narrow on `ok`.
 */
export type Result<T> = Success<T> | Failure;

/**
 * The zod schema of `Result<T>` for a given data schema, e.g. `resultSchema(MediaInfoSchema)`;
 * clients parse acks with it, the event map uses it to type ack callbacks.
 */
export function resultSchema<T extends z.ZodType>(dataSchema: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), data: dataSchema }), FailureSchema]);
}

/** A successful result. */
export function ok<T>(data: T): Success<T> {
  return { ok: true, data };
}

/** A failed result; `details` is left out of the object when undefined so it serialises cleanly. */
export function fail(code: ErrorCode, message: string, details?: unknown): Failure {
  const error: ErrorBody = { code, message };
  if (details !== undefined) error.details = details;
  return { ok: false, error };
}

/** One validation problem in the `details.issues` of an INVALID_INPUT failure built from a ZodError. */
export interface InputIssue {
  /** Where the problem is, e.g. `points[3].x` (empty for the payload itself). */
  path: string;
  message: string;
}

/** Message sent for every unexpected error: the real one goes to the server log, never to the user. */
export const INTERNAL_MESSAGE = 'Internal error';

/** `['points', 3, 'x']` → `points[3].x`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function isZodError(err: unknown): err is z.core.$ZodError {
  if (err instanceof z.core.$ZodError) return true;
  // A second copy of zod in a bundle fails instanceof; its errors still look like this.
  return (
    err instanceof Error && err.name === 'ZodError' && Array.isArray((err as { issues?: unknown }).issues)
  );
}

/** Turns a ZodError into the INVALID_INPUT failure a user sees: first problem in the message, all in details. */
function zodFailure(err: z.core.$ZodError): Failure {
  const issues: InputIssue[] = err.issues.map((issue) => ({
    path: formatIssuePath(issue.path),
    message: issue.message,
  }));
  const first = issues[0];
  if (first === undefined) return fail('INVALID_INPUT', 'Invalid input');
  const where = first.path === '' ? '' : `${first.path}: `;
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return fail('INVALID_INPUT', `${where}${first.message}${more}`, { issues });
}

/**
 * Maps anything thrown to the failure a user may see.
 *
 * - a RotoError (or any Error whose `code` is a shared code) keeps its code, message and details;
 * - a ZodError becomes INVALID_INPUT naming the first offending field, with every issue in `details.issues`;
 * - anything else becomes INTERNAL with a fixed message, so no stack, path or driver message leaks.
 *
 * An INTERNAL code always gets the fixed message, whatever error carried it.
 */
export function toFailure(err: unknown): Failure {
  if (isZodError(err)) return zodFailure(err);
  const code = isRotoError(err) ? err.code : codeOf(err);
  if (code === undefined || code === 'INTERNAL') return fail('INTERNAL', INTERNAL_MESSAGE);
  const e = err as { message: string; details?: unknown };
  return fail(code, e.message, e.details);
}

/** The shared code of an Error that carries one (modules may define their own error classes with `code`). */
function codeOf(err: unknown): ErrorCode | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  return isErrorCode(code) ? code : undefined;
}

/** The RFC 9457 problem document for anything thrown (REST handlers' error middleware). */
export function toProblem(err: unknown, instance?: string): ProblemDocument {
  const { error } = toFailure(err);
  const doc = problemFor(error.code, error.message, error.details);
  if (instance !== undefined) doc.instance = instance;
  return doc;
}
