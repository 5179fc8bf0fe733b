import { RotoError } from '@roto/shared';
import type { Middleware } from 'koa';
import type { AppState } from '../context.ts';

declare module 'koa' {
  interface Request {
    /** The parsed JSON body (`undefined` when the request had none or was not JSON). */
    body?: unknown;
  }
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Parses `application/json` (and `+json`) bodies into `ctx.request.body`, up to `limitBytes`.
 * A malformed body is INVALID_INPUT (400), a larger one PAYLOAD_TOO_LARGE (413) — decided before
 * reading when `Content-Length` says so. Other content types (uploads) are left for their route
 * to stream.
 */
export function jsonBody(limitBytes: number): Middleware<AppState> {
  return async (ctx, next) => {
    if (METHODS_WITH_BODY.has(ctx.method) && ctx.request.is('application/json', '+json')) {
      ctx.request.body = await readJson(ctx.req, ctx.request.length, limitBytes);
    }
    await next();
  };
}

async function readJson(
  stream: AsyncIterable<Buffer> & { resume(): void },
  declaredLength: number | undefined,
  limit: number,
): Promise<unknown> {
  const tooLarge = () =>
    new RotoError('PAYLOAD_TOO_LARGE', `JSON bodies are limited to ${limit} bytes`, { limitBytes: limit });
  if (declaredLength !== undefined && declaredLength > limit) {
    stream.resume(); // drain, so the client reads our answer instead of a reset
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit) {
      stream.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    throw new RotoError('INVALID_INPUT', 'Request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RotoError('INVALID_INPUT', `Request body is not valid JSON: ${(err as Error).message}`);
  }
}
