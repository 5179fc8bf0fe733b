import type { Router } from '@koa/router';
import type { Config } from '../../config/config.ts';
import { type SessionExpiry, startSessionExpiry } from '../../ingest/expiry.ts';
import { IngestService, type IngestServiceOptions } from '../../ingest/ingest-service.ts';
import { metaOrNull } from '../../ingest/session-views.ts';
import { ingestTempDir } from '../../ingest/temp-files.ts';
import type { Logger } from '../../observability/logger.ts';
import type { SessionStore } from '../../storage/session-store.ts';
import type { AppState } from '../context.ts';
import { sessionsRouter } from './router.ts';

/** Overrides of the ingest service's settings (tests shorten download timeouts, for instance). */
export type IngestOverrides = Partial<Omit<IngestServiceOptions, 'store' | 'logger'>> & {
  /** How often expired sessions are looked for; default 10 minutes. */
  expiryIntervalMs?: number;
};

/** The sessions API as the app mounts it. */
export interface SessionsApi {
  router: Router<AppState>;
  /** Publishes ingest progress (`ingest.events`) for the realtime layer. */
  ingest: IngestService;
  expiry: SessionExpiry;
  /** Cancels running decodes and stops the expiry timer. */
  close(): Promise<void>;
}

/**
 * Builds the sessions API from the configuration and a store: the ingest service (temp folder
 * under DATA_DIR, MAX_UPLOAD_MB, MAX_FRAME_SIDE, URL_INGEST_PRIVATE), the expiry job
 * (SESSION_TTL_HOURS) and the REST router. Sessions a previous process left half-decoded are
 * decoded again in the background (or marked failed when their source is unusable).
 */
export function createSessionsApi(deps: {
  config: Config;
  store: SessionStore;
  logger: Logger;
  overrides?: IngestOverrides;
  /** The owner token of a new session, returned in the 201 body as `ownerToken`. */
  ownerToken?: (sessionId: string) => string;
}): SessionsApi {
  const { config, store, overrides = {} } = deps;
  const logger = deps.logger.child({ component: 'ingest' });
  const { expiryIntervalMs, ...serviceOverrides } = overrides;
  const ingest = new IngestService({
    store,
    logger,
    tempDir: ingestTempDir(config.dataDir),
    maxUploadBytes: config.maxUploadBytes,
    maxFrameSide: config.maxFrameSide,
    urlIngestPrivate: config.urlIngestPrivate,
    ...serviceOverrides,
  });
  ingest
    .resumeInterrupted((id) => metaOrNull(store, id))
    .then(
      ({ resumed, failed }) => {
        if (resumed.length > 0) logger.info('resuming interrupted ingests', { sessions: resumed });
        if (failed.length > 0) logger.warn('interrupted ingests could not resume', { sessions: failed });
      },
      (err: unknown) => logger.error('could not check for interrupted ingests', { err }),
    );
  const expiry = startSessionExpiry({
    store,
    ttlMs: config.sessionTtlMs,
    temp: ingest.temp,
    events: ingest.events,
    logger,
    ...(expiryIntervalMs !== undefined ? { intervalMs: expiryIntervalMs } : {}),
  });
  return {
    router: sessionsRouter({ ingest, store, ...(deps.ownerToken ? { ownerToken: deps.ownerToken } : {}) }),
    ingest,
    expiry,
    close: async () => {
      await expiry.stop();
      await ingest.close();
    },
  };
}
