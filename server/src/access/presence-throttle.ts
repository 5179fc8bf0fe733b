/**
 * Presence throttling: a connection's presence updates are relayed at most `maxPerSec` times a
 * second. Updates arriving faster are merged into one pending update (later fields win) that is
 * sent when the interval ends, so the others always end up seeing the latest cursor and frame.
 */
import type { PresenceUpdate } from '@roto/shared';

export class PresenceThrottle {
  private readonly intervalMs: number;
  private lastSent = Number.NEGATIVE_INFINITY;
  private pending: PresenceUpdate | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    maxPerSec: number,
    private readonly send: (update: PresenceUpdate) => void,
  ) {
    this.intervalMs = 1000 / maxPerSec;
  }

  /** Relays `update` now, or merges it into the update sent at the end of the interval. */
  push(update: PresenceUpdate): void {
    const now = performance.now();
    if (this.pending === null && now - this.lastSent >= this.intervalMs) {
      this.lastSent = now;
      this.send(update);
      return;
    }
    this.pending = { ...this.pending, ...update };
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastSent + this.intervalMs - now));
    this.timer.unref();
  }

  /** Drops what is pending (the connection left its session). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private flush(): void {
    this.timer = null;
    const update = this.pending;
    this.pending = null;
    if (!update) return;
    this.lastSent = performance.now();
    this.send(update);
  }
}
