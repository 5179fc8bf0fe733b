/**
 * Per-connection rate limits. Every socket event but presence takes a token from the connection's
 * bucket (`RATE_LIMIT_COMMANDS_PER_SEC`, burst `RATE_LIMIT_BURST`); an empty bucket refuses the
 * event at once with RATE_LIMITED and `details.retryAfterMs`. Nothing waits: a noisy client is
 * answered immediately and the others never queue behind it. Presence has its own throttle
 * (`PresenceThrottle`): it is volatile, so excess updates are merged, not refused.
 */
import { RotoError } from '@roto/shared';
import type { Socket } from 'socket.io';
import type { BeforeEvent } from '../realtime/on.ts';

/** A token bucket: `burst` tokens, refilled at `perSec`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSec: number,
    private readonly burst: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token: 0 when granted, else the ms until one will be there. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.perSec) / 1000);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.perSec);
  }
}

/** Settings of the per-connection limit. */
export interface RateLimitOptions {
  perSec: number;
  burst: number;
  /** Events that take no token (default: `presence:update`, which has its own throttle). */
  exempt?: ReadonlySet<string>;
}

const DEFAULT_EXEMPT: ReadonlySet<string> = new Set(['presence:update']);

/** A `beforeEvent` hook giving each connection its own bucket. */
export function connectionRateLimit(opts: RateLimitOptions): BeforeEvent {
  const buckets = new WeakMap<Socket, TokenBucket>();
  const exempt = opts.exempt ?? DEFAULT_EXEMPT;
  return (socket, event) => {
    if (exempt.has(event)) return;
    let bucket = buckets.get(socket);
    if (!bucket) {
      bucket = new TokenBucket(opts.perSec, opts.burst);
      buckets.set(socket, bucket);
    }
    const retryAfterMs = bucket.take();
    if (retryAfterMs > 0)
      throw new RotoError(
        'RATE_LIMITED',
        `Too many messages from this connection (at most ${opts.perSec}/s, ${opts.burst} at once); retry in ${retryAfterMs} ms.`,
        { retryAfterMs, perSec: opts.perSec, burst: opts.burst, event },
      );
  };
}
