/**
 * Path and query parameters of the REST API, parsed at the edge into precise INVALID_INPUT /
 * NOT_FOUND errors, so a bad URL never reaches the session layer.
 */

import { randomUUID } from 'node:crypto';
import { CommandIdSchema, IDEMPOTENCY_KEY_HEADER, ObjectIdSchema, RotoError } from '@roto/shared';
import type { z } from 'zod';
import { parseFrameIndex } from '../../ingest/session-views.ts';
import type { SessionState } from '../../sessions/state.ts';
import type { AppContext } from '../context.ts';

/** A positive integer id written plainly in a URL (`objectId`). */
export function parseObjectId(raw: string | undefined, name = 'objectId'): number {
  const n = raw !== undefined && /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!ObjectIdSchema.safeParse(n).success) {
    throw new RotoError(
      'INVALID_INPUT',
      `${name} must be a positive whole number, not "${(raw ?? '').slice(0, 40)}".`,
      {
        [name]: (raw ?? '').slice(0, 40),
      },
    );
  }
  return n;
}

/** A frame index from a URL, checked against the session's frame count (NOT_FOUND past the end). */
export function frameInSession(raw: string | undefined, state: SessionState): number {
  if (raw === undefined || raw === '') {
    throw new RotoError('INVALID_INPUT', 'frame is required (a frame index from 0).', { frame: null });
  }
  const n = parseFrameIndex(raw);
  const count = state.media.frameCount;
  if (n >= count) {
    throw new RotoError(
      'NOT_FOUND',
      `Frame ${n} does not exist: the session has ${count} frame${count === 1 ? '' : 's'} (0–${count - 1}).`,
      { frame: n, frameCount: count },
    );
  }
  return n;
}

/** One value of a query parameter (the first when repeated); undefined when absent. */
export function queryValue(ctx: AppContext, name: string): string | undefined {
  const v = ctx.query[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A query parameter from a fixed set of values. */
export function queryChoice<T extends string>(
  ctx: AppContext,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = queryValue(ctx, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new RotoError(
      'INVALID_INPUT',
      `${name} must be one of ${choices.join(', ')}, not "${raw.slice(0, 40)}".`,
      {
        [name]: raw.slice(0, 40),
      },
    );
  }
  return raw as T;
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The JSON object a command request carries (`{}` when it has no body). A body that is not JSON
 * is UNSUPPORTED_MEDIA; JSON that is not an object is INVALID_INPUT.
 */
export function jsonObjectBody(ctx: AppContext): Record<string, unknown> {
  const hasBody = METHODS_WITH_BODY.has(ctx.method) && (ctx.request.length ?? 0) > 0;
  if (hasBody && !ctx.request.is('application/json', '+json')) {
    ctx.req.resume();
    throw new RotoError(
      'UNSUPPORTED_MEDIA',
      `${ctx.method} ${ctx.path} takes a JSON body (Content-Type: application/json), not ${ctx.request.type || 'a body without Content-Type'}.`,
      { contentType: ctx.request.type },
    );
  }
  const body = ctx.request.body;
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RotoError('INVALID_INPUT', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/**
 * The command id of a mutating request: the `Idempotency-Key` header (a retry with the same key
 * gets the first answer), else a fresh one.
 */
export function commandIdOf(ctx: AppContext): string {
  const key = ctx.get(IDEMPOTENCY_KEY_HEADER);
  if (!key) return randomUUID();
  const checked = CommandIdSchema.safeParse(key);
  if (!checked.success) {
    throw new RotoError('INVALID_INPUT', `The ${IDEMPOTENCY_KEY_HEADER} header must be 1–100 characters.`, {
      header: IDEMPOTENCY_KEY_HEADER,
    });
  }
  return checked.data;
}

/**
 * Parses a command payload with its contract schema: the JSON body plus `extra` (values from the
 * URL), with the request's command id.
 */
export function commandPayload<S extends z.ZodType>(
  ctx: AppContext,
  schema: S,
  extra: Record<string, unknown> = {},
): z.output<S> {
  return schema.parse({ ...jsonObjectBody(ctx), ...extra, commandId: commandIdOf(ctx) });
}
