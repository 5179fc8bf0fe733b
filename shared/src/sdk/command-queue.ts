import { RotoError } from '../contract/errors.ts';
import { ErrorBodySchema, type Result } from '../contract/result.ts';
import { type Fence, fenceOf, isFenced } from './command-fence.ts';
import type { SendPacer } from './pacer.ts';

/** Sends one message and calls `onAck` with whatever the server acknowledged. */
export type Send = (event: string, payload: unknown, onAck: (result: unknown) => void) => void;

/** Settings of a command queue. */
export interface CommandQueueOptions {
  /**
   * How long a sent command may wait for its ack, or a command held while the session is being
   * ingested may wait to be sent, before it fails with TIMEOUT.
   */
  timeoutMs: number;
  /** Most commands waiting for an ack (queued offline or in flight); beyond it new ones fail with BUSY. */
  maxPending: number;
  /** How many times one command is sent again after a RATE_LIMITED answer before that answer is final. */
  rateLimitRetries: number;
  /** Paces every send to the server's rate limit. */
  pacer: SendPacer;
}

interface Pending {
  event: string;
  payload: unknown;
  parse: (data: unknown) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: RotoError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Sent on the current connection and not answered yet. */
  inFlight: boolean;
  /** Sends so far: an answer to an earlier send of a command resent since is told apart. */
  sends: number;
  /** RATE_LIMITED answers so far. */
  limited: number;
  /** Not to be sent before this time (`performance.now()` ms): the server's `retryAfterMs`. */
  notBefore: number;
  /** What the command must not overtake while the limit is unknown (see `fenceOf`). */
  fence: Fence;
}

/**
 * Where the queue stands: `offline` (no joined connection: commands wait, no timers run),
 * `held` (joined a session still being ingested: commands wait, their timeouts run) or `online`.
 */
type Gate = 'offline' | 'held' | 'online';

/**
 * The commands of a client that have not been answered yet, in the order they were issued.
 *
 * While offline, commands wait here (bounded by `maxPending`). On every (re)join the queue sends
 * each unanswered command again, with the payload, and so the `commandId`, it was first given:
 * the server answers a repeated id with the first answer and changes nothing (R8), so a command
 * whose ack was lost in a dropped connection takes effect exactly once. The timeout runs only
 * while a command is on the wire or held for an ingest; a command typed offline waits for the
 * connection.
 *
 * Sends are paced to the server's rate limit (R21) and leave in issue order: a command refused
 * with RATE_LIMITED is sent again after the server's `retryAfterMs` (plus jitter), and commands
 * issued after it wait behind it. A refused command changes nothing, but one sent after it may be
 * accepted once the server's bucket refills, so while the limit is not known (see
 * `SendPacer.known`) a command is not sent while one it depends on is in flight (`fenceOf`):
 * commands on one object, and undo, redo and propagation, take effect in the order issued.
 * Once the limit is known the pacer keeps every send within it and commands are pipelined.
 */
export class CommandQueue {
  private readonly pending = new Set<Pending>();
  private gate: Gate = 'offline';
  private pumpTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly opts: CommandQueueOptions,
    private readonly send: Send,
  ) {}

  /** Commands not yet answered. */
  get size(): number {
    return this.pending.size;
  }

  /** Queues a command (sent at once when online and within the rate); resolves with the parsed ack data. */
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
        inFlight: false,
        sends: 0,
        limited: 0,
        notBefore: 0,
        fence: fenceOf(event, payload),
      };
      this.pending.add(p);
      if (this.gate === 'held') this.armHoldTimeout(p);
      this.pump();
    });
  }

  /** Joined: (re)send every unanswered command in issue order, paced. */
  goOnline(): void {
    this.enter('online');
    this.pump();
  }

  /**
   * Joined a session that is still being ingested: commands wait until `goOnline` (the rejoin
   * after `ingest:finished`), each failing with TIMEOUT if that takes longer than `timeoutMs`.
   */
  hold(): void {
    this.enter('held');
    for (const p of this.pending) this.armHoldTimeout(p);
  }

  /** The connection dropped: stop the timers; the commands stay queued. */
  goOffline(): void {
    this.enter('offline');
  }

  /** Fails every unanswered command with `err` (the client closed, or the session went away). */
  failAll(err: RotoError): void {
    for (const p of [...this.pending]) this.settle(p, () => p.reject(err));
  }

  private enter(gate: Gate): void {
    this.gate = gate;
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    for (const p of this.pending) {
      clearTimeout(p.timer);
      p.timer = undefined;
      // What was in flight on a connection that is gone is sent again on the next one.
      p.inFlight = false;
    }
  }

  /**
   * Sends what may leave now, in issue order: stops at the first command that must wait (for its
   * `retryAfterMs`, or for a token of the pacer) and comes back when it may go.
   */
  private pump(): void {
    if (this.gate !== 'online' || this.pumpTimer !== undefined) return;
    const now = performance.now();
    const fenced = this.opts.pacer.known ? null : this.inFlightFences();
    for (const p of this.pending) {
      if (p.inFlight) continue;
      // Waits for the answer it depends on; that answer pumps again.
      if (fenced && isFenced(p.fence, fenced)) return;
      const wait = p.notBefore > now ? Math.ceil(p.notBefore - now) : this.opts.pacer.take();
      if (wait > 0) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.transmit(p);
      fenced?.add(p.fence);
    }
  }

  private inFlightFences(): Set<Fence> {
    const fences = new Set<Fence>();
    for (const p of this.pending) if (p.inFlight) fences.add(p.fence);
    return fences;
  }

  private armHoldTimeout(p: Pending): void {
    clearTimeout(p.timer);
    const secs = Math.round(this.opts.timeoutMs / 100) / 10;
    p.timer = setTimeout(() => {
      this.settle(p, () =>
        p.reject(
          new RotoError(
            'TIMEOUT',
            `${p.event} was not sent: the session was still being ingested after ${secs} s`,
            { event: p.event, reason: 'ingesting' },
          ),
        ),
      );
    }, this.opts.timeoutMs);
  }

  private transmit(p: Pending): void {
    clearTimeout(p.timer);
    p.inFlight = true;
    const send = ++p.sends;
    p.timer = setTimeout(() => {
      const secs = Math.round(this.opts.timeoutMs / 100) / 10;
      this.settle(p, () =>
        p.reject(new RotoError('TIMEOUT', `No answer to ${p.event} within ${secs} s`, { event: p.event })),
      );
    }, this.opts.timeoutMs);
    this.send(p.event, p.payload, (result) => this.answer(p, result, send));
  }

  private answer(p: Pending, raw: unknown, send: number): void {
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
    if (error.code === 'RATE_LIMITED') this.rateLimited(p, error, send);
    else this.settle(p, () => p.reject(error));
  }

  /** A RATE_LIMITED answer: send the command again after `retryAfterMs`, or give up after the last retry. */
  private rateLimited(p: Pending, error: RotoError, send: number): void {
    // A refusal of a send made on an earlier connection says nothing about the current one.
    if (send !== p.sends || !p.inFlight) return;
    this.opts.pacer.refused(error.details);
    if (p.limited >= this.opts.rateLimitRetries) {
      const attempts = p.limited + 1;
      const details = { ...(error.details as object | undefined), attempts };
      this.settle(p, () =>
        p.reject(
          new RotoError('RATE_LIMITED', `${error.message} (gave up after ${attempts} attempts)`, details),
        ),
      );
      return;
    }
    p.limited += 1;
    p.inFlight = false;
    clearTimeout(p.timer);
    p.timer = undefined;
    const retryAfterMs = (error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    const base = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : 1000;
    // Jitter, so that a client does not land on the exact instant its bucket refills, over and over.
    p.notBefore = performance.now() + base + Math.random() * Math.min(250, base / 4 + 10);
    // The retry goes out before anything issued after it: restart the pump from the front.
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    this.pump();
  }

  private settle(p: Pending, finish: () => void): void {
    if (!this.pending.delete(p)) return;
    clearTimeout(p.timer);
    finish();
    // A command fenced behind this one may go now.
    this.pump();
  }
}
