import { RotoError } from '../contract/errors.ts';
import { ErrorBodySchema, type Result } from '../contract/result.ts';

/** Sends one message and calls `onAck` with whatever the server acknowledged. */
export type Send = (event: string, payload: unknown, onAck: (result: unknown) => void) => void;

/** Settings of a command queue. */
export interface CommandQueueOptions {
  /** How long a sent command may wait for its ack before it fails with TIMEOUT. */
  timeoutMs: number;
  /** Most commands waiting for an ack (queued offline or in flight); beyond it new ones fail with BUSY. */
  maxPending: number;
}

interface Pending {
  event: string;
  payload: unknown;
  parse: (data: unknown) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: RotoError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The commands of a client that have not been answered yet, in the order they were issued.
 *
 * While offline, commands wait here (bounded by `maxPending`). On every (re)join the queue sends
 * each unanswered command again, with the payload, and so the `commandId`, it was first given:
 * the server answers a repeated id with the first answer and changes nothing (R8), so a command
 * whose ack was lost in a dropped connection takes effect exactly once. The timeout runs only
 * while a command is on the wire; a command typed offline waits for the connection.
 */
export class CommandQueue {
  private readonly pending = new Set<Pending>();
  private online = false;

  constructor(
    private readonly opts: CommandQueueOptions,
    private readonly send: Send,
  ) {}

  /** Commands not yet answered. */
  get size(): number {
    return this.pending.size;
  }

  /** Queues a command (sent at once when online); resolves with the parsed ack data. */
  submit<T>(event: string, payload: unknown, parse: (data: unknown) => T): Promise<T> {
    if (this.pending.size >= this.opts.maxPending) {
      return Promise.reject(
        new RotoError(
          'BUSY',
          `${this.pending.size} commands are already waiting for the server; wait for some to finish`,
          {
            limit: this.opts.maxPending,
          },
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const p: Pending = {
        event,
        payload,
        parse,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: undefined,
      };
      this.pending.add(p);
      if (this.online) this.transmit(p);
    });
  }

  /** Joined: (re)send every unanswered command in issue order. */
  goOnline(): void {
    this.online = true;
    for (const p of [...this.pending]) this.transmit(p);
  }

  /** The connection dropped: stop the timers; the commands stay queued. */
  goOffline(): void {
    this.online = false;
    for (const p of this.pending) {
      clearTimeout(p.timer);
      p.timer = undefined;
    }
  }

  /** Fails every unanswered command with `err` (the client closed, or the session went away). */
  failAll(err: RotoError): void {
    for (const p of [...this.pending]) this.settle(p, () => p.reject(err));
  }

  private transmit(p: Pending): void {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      const secs = Math.round(this.opts.timeoutMs / 100) / 10;
      this.settle(p, () =>
        p.reject(new RotoError('TIMEOUT', `No answer to ${p.event} within ${secs} s`, { event: p.event })),
      );
    }, this.opts.timeoutMs);
    this.send(p.event, p.payload, (result) => this.answer(p, result));
  }

  private answer(p: Pending, raw: unknown): void {
    // Already answered (an ack of an earlier send can still arrive), timed out, or failed.
    if (!this.pending.has(p)) return;
    const result = raw as Result<unknown> | undefined;
    if (typeof result !== 'object' || result === null || typeof result.ok !== 'boolean') {
      this.settle(p, () =>
        p.reject(
          new RotoError('INTERNAL', `The server answered ${p.event} with something that is not a result`),
        ),
      );
      return;
    }
    if (result.ok) {
      let value: unknown;
      try {
        value = p.parse(result.data);
      } catch (err) {
        this.settle(p, () =>
          p.reject(
            new RotoError(
              'INTERNAL',
              `The server's answer to ${p.event} does not match this client's protocol`,
              undefined,
              { cause: err },
            ),
          ),
        );
        return;
      }
      this.settle(p, () => p.resolve(value));
      return;
    }
    const body = ErrorBodySchema.safeParse(result.error);
    const error = body.success
      ? new RotoError(body.data.code, body.data.message, body.data.details)
      : new RotoError('INTERNAL', `The server refused ${p.event} with an unreadable error`);
    this.settle(p, () => p.reject(error));
  }

  private settle(p: Pending, finish: () => void): void {
    if (!this.pending.delete(p)) return;
    clearTimeout(p.timer);
    finish();
  }
}
