import type { Logger } from '../observability/logger.ts';
import type { SessionStore } from '../storage/session-store.ts';
import type { IngestEvents } from './events.ts';
import type { TempFiles } from './temp-files.ts';

/** Options of {@link startSessionExpiry}. */
export interface SessionExpiryOptions {
  store: SessionStore;
  /** SESSION_TTL_HOURS in ms: closed sessions idle longer than this are removed. */
  ttlMs: number;
  /** How often to look; default 10 minutes. */
  intervalMs?: number;
  /** Temp files older than this are leftovers of a crash; default 6 hours (an upload never takes that long). */
  tempMaxAgeMs?: number;
  temp?: TempFiles;
  events?: IngestEvents;
  logger: Logger;
}

/** A running expiry job. */
export interface SessionExpiry {
  /** Runs one pass now (also what the timer runs); returns the removed session ids. */
  runOnce(now?: number): Promise<string[]>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * Removes sessions idle for longer than the TTL, periodically, through the store's
 * `cleanupExpired` (which never touches an open session: one being decoded or joined), and sweeps
 * stale temp files. Publishes `removed` (reason `expired`) for each session. The first pass runs
 * at once, so a server that was down for days catches up on start.
 */
export function startSessionExpiry(options: SessionExpiryOptions): SessionExpiry {
  const { store, ttlMs, logger } = options;
  let current: Promise<string[]> | undefined;

  const pass = async (now = Date.now()): Promise<string[]> => {
    const removed = await store.cleanupExpired(ttlMs, now);
    for (const sessionId of removed) options.events?.emit('removed', { sessionId, reason: 'expired' });
    const swept = options.temp ? await options.temp.sweep(options.tempMaxAgeMs ?? 6 * 3600_000, now) : 0;
    if (removed.length > 0 || swept > 0)
      logger.info('expired sessions removed', { sessions: removed.length, tempFiles: swept });
    return removed;
  };
  const runOnce = (now?: number): Promise<string[]> => {
    // One pass at a time: a slow disk must not stack passes up.
    current ??= pass(now).finally(() => {
      current = undefined;
    });
    return current;
  };
  const tick = () => {
    runOnce().catch((err: unknown) => logger.error('session expiry failed', { err }));
  };
  const timer = setInterval(tick, options.intervalMs ?? 10 * 60_000);
  timer.unref();
  tick();

  return {
    runOnce,
    stop: async () => {
      clearInterval(timer);
      await current?.catch(() => []);
    },
  };
}
