/**
 * The edge of the realtime layer: every inbound event goes through `on`, which parses the payload
 * with its schema and answers the ack with the result union. Nothing thrown escapes as a crash or
 * as a raw message: bad payloads are INVALID_INPUT, oversized ones PAYLOAD_TOO_LARGE, unexpected
 * errors INTERNAL (logged, not shown).
 */
import { fail, MAX_COMMAND_BYTES, ok, type Result, RotoError, toFailure } from '@roto/shared';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Logger } from '../observability/logger.ts';

/** Rough size of a payload as sent: JSON text plus binary bytes. */
export function payloadBytes(value: unknown): number {
  let binary = 0;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => {
      if (ArrayBuffer.isView(v)) {
        binary += v.byteLength;
        return 0;
      }
      if (v instanceof ArrayBuffer) {
        binary += v.byteLength;
        return 0;
      }
      return v;
    });
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  return (text?.length ?? 0) + binary;
}

/** Runs before a handler (the seam for per-connection rate limits); throw a RotoError to refuse. */
export type BeforeEvent = (socket: Socket, event: string) => void | Promise<void>;

export interface OnOptions {
  logger: Logger;
  maxPayloadBytes?: number;
  before?: BeforeEvent;
  /** Checks the raw payload before the schema (throw a RotoError to refuse). */
  precheck?: (payload: unknown) => void;
}

/** What a handler may do besides returning: answer early, at a moment of its choosing. */
export interface HandlerContext<T> {
  /**
   * Sends the success ack now (synchronously) instead of when the handler returns; what the
   * handler then returns is ignored. `session:join` uses it to order its ack before later facts.
   */
  respond(data: T): void;
}

/**
 * Registers a handler for `event`: parse with `schema`, run `handler`, ack `{ ok, data }` or
 * `{ ok: false, error }`. A missing ack callback is tolerated (the result is dropped).
 */
export function on<S extends z.ZodType, T>(
  socket: Socket,
  event: string,
  schema: S,
  handler: (payload: z.output<S>, ctx: HandlerContext<T>) => T | Promise<T>,
  opts: OnOptions,
): void {
  const max = opts.maxPayloadBytes ?? MAX_COMMAND_BYTES;
  socket.on(event, async (...args: unknown[]) => {
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (last as (r: Result<T>) => void) : undefined;
    if (ack) args.pop();
    let result: Result<T>;
    let responded = false;
    const send = (r: Result<T>) => {
      if (responded) return;
      responded = true;
      try {
        ack?.(r);
      } catch (err) {
        opts.logger.error('could not send an ack', { err, event });
      }
    };
    try {
      const size = payloadBytes(args[0]);
      if (size > max) {
        throw new RotoError(
          'PAYLOAD_TOO_LARGE',
          `The ${event} payload is ${size} bytes; the limit is ${max}`,
          { bytes: size, limit: max },
        );
      }
      await opts.before?.(socket, event);
      opts.precheck?.(args[0]);
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) throw parsed.error;
      result = ok(await handler(parsed.data, { respond: (data) => send(ok(data)) }));
    } catch (err) {
      result = toFailure(err);
      if (result.error.code === 'INTERNAL')
        opts.logger.error(`${event} failed`, { err, socketId: socket.id });
    }
    send(result);
  });
}

/** Answers events nobody registered (a typo, a newer client) instead of leaving the ack hanging. */
export function answerUnknownEvents(socket: Socket, known: ReadonlySet<string>): void {
  socket.onAny((event: string, ...args: unknown[]) => {
    if (known.has(event)) return;
    const last = args.at(-1);
    if (typeof last === 'function') {
      (last as (r: Result<never>) => void)(fail('INVALID_INPUT', `Unknown event "${event}"`, { event }));
    }
  });
}
