/**
 * The client's side of the server's per-connection rate limit (R21): a token bucket mirroring the
 * server's, so a client sends no faster than the server accepts. The server refuses an event over
 * its limit at once (RATE_LIMITED) and changes nothing; a client that paces itself to the real
 * limit, with the margins below for delays on the way, is not refused and never has to resend.
 */

/** A connection's limit: `perSec` events a second sustained, `burst` at once (R21). */
export interface RateLimits {
  perSec: number;
  burst: number;
}

/** What a Roto server allows when `RATE_LIMIT_COMMANDS_PER_SEC` and `RATE_LIMIT_BURST` are not set. */
export const SERVER_DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze({ perSec: 20, burst: 40 });

/**
 * The rate the pacer keeps below the server's: two events sent exactly `1/perSec` apart may reach
 * the server closer together when the network or the server's event loop delays the first more
 * than the second.
 */
const RATE_MARGIN = 0.9;

/**
 * The burst the pacer keeps below the server's: the token left over absorbs such a delay right
 * after a burst, before the rate margin has built up any slack.
 */
const BURST_MARGIN = 1;

/**
 * A token bucket over this client's sends. It starts from the server's limit when the client was
 * told it (`known`), else from the server defaults, replaced by the real limit at the first
 * RATE_LIMITED answer; `null` limits: no pacing at all, ever.
 */
export class SendPacer {
  private limits: RateLimits | null;
  private isKnown: boolean;
  private tokens = 0;
  private last = 0;

  constructor(
    limits: RateLimits | null,
    known: boolean,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limits = limits;
    this.isKnown = limits !== null && known;
    this.reset();
  }

  /** The limits the pacer keeps to (null: none). */
  get current(): RateLimits | null {
    return this.limits;
  }

  /**
   * True once the pacer keeps to the server's real limit (told, or learnt from a refusal): what
   * it lets through is not refused. Until then any send may be.
   */
  get known(): boolean {
    return this.isKnown;
  }

  /** A new connection: the server gives every connection a full bucket. */
  reset(): void {
    this.tokens = this.limits ? burstOf(this.limits) : 0;
    this.last = this.now();
  }

  /**
   * Takes a token for one event: 0 when it may be sent now, else the ms until a token will be
   * there (nothing is taken then).
   */
  take(): number {
    const limits = this.limits;
    if (!limits) return 0;
    const t = this.now();
    const rate = limits.perSec * RATE_MARGIN;
    this.tokens = Math.min(burstOf(limits), this.tokens + ((t - this.last) * rate) / 1000);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / rate));
  }

  /**
   * The server refused an event with RATE_LIMITED: its bucket is empty now, and its `details`
   * (`perSec`, `burst`) say what the limit really is. Later sends keep to it.
   */
  refused(details: unknown): void {
    if (!this.limits) return;
    const d = (details ?? {}) as { perSec?: unknown; burst?: unknown };
    if (isPositive(d.perSec) && isPositive(d.burst)) {
      this.limits = { perSec: d.perSec, burst: d.burst };
      this.isKnown = true;
    }
    this.tokens = 0;
    this.last = this.now();
  }
}

function burstOf(limits: RateLimits): number {
  return Math.max(1, limits.burst - BURST_MARGIN);
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}
