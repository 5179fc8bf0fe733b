import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from '@koa/router';
import Koa from 'koa';
import type { Registry } from 'prom-client';
import { type Access, createAccess } from './access/index.ts';
import type { Config } from './config/config.ts';
import { createExportsService, type ExportsService } from './export/service.ts';
import { createRestApi, JobHistory, OPEN_ACCESS, type ResolveRole } from './http/api/index.ts';
import type { AppState } from './http/context.ts';
import { healthRouter } from './http/health.ts';
import { metricsRouter } from './http/metrics.ts';
import { accessLog } from './http/middleware/access-log.ts';
import { cors } from './http/middleware/cors.ts';
import { jsonBody } from './http/middleware/json-body.ts';
import { problems } from './http/middleware/problems.ts';
import { requestId } from './http/middleware/request-id.ts';
import { createSessionsApi, type IngestOverrides } from './http/sessions/index.ts';
import { sessionAccessGuard, shareLinksRouter } from './http/sessions/share-router.ts';
import { staticFiles } from './http/static.ts';
import type { InferenceEngine } from './inference/engine.ts';
import type { IngestService } from './ingest/ingest-service.ts';
import { GpuLane } from './lane/lane.ts';
import { registerEngineMetrics } from './observability/engine-metrics.ts';
import { registerLaneMetrics } from './observability/lane-metrics.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetricsRegistry } from './observability/registry.ts';
import { SERVER_VERSION } from './observability/version.ts';
import { attachRealtime, type Realtime, type RealtimeOptions, roomName } from './realtime/attach.ts';
import type { SessionStore } from './storage/session-store.ts';

/** Default cap on JSON request bodies: commands and settings, never media (uploads stream). */
export const DEFAULT_JSON_LIMIT_BYTES = 1024 * 1024;

/** Everything the server is built from. Tests pass their own; `main.ts` builds them from config. */
export interface AppDeps {
  config: Config;
  /** The model engine. The app reports on it but does not close it: its creator does. */
  engine: InferenceEngine;
  /** The GPU lane; by default one is created with `config.laneConcurrency` and closed with the app. */
  lane?: GpuLane;
  /** Defaults to a logger at `config.logLevel` on stderr. */
  logger?: Logger;
  /** The Prometheus registry `/metrics` serves; by default a fresh one with process metrics. */
  registry?: Registry;
  /** Routers mounted after the built-in ones (the REST API…). More can be `mount`ed later. */
  routers?: ReadonlyArray<Router<AppState>>;
  /** The built web app to serve at `/` (`client/dist`); none when absent. */
  staticDir?: string;
  jsonLimitBytes?: number;
  version?: string;
  /**
   * Durable session storage. When given, the sessions API is mounted (`/api/v1/sessions`: media
   * ingest, frames, thumbnails) and expired sessions are removed periodically.
   */
  store?: SessionStore;
  /** Overrides of the ingest settings taken from `config` (tests shorten download timeouts). */
  ingestOverrides?: IngestOverrides;
  /** Options of the realtime layer (Socket.IO), attached when `store` is given: access control, limits. */
  realtime?: RealtimeOptions;
}

/** A built server, not yet listening. */
export interface App {
  koa: Koa<AppState>;
  /**
   * The HTTP server, created before `listen` so other layers can attach to it first (Socket.IO:
   * `new Server(app.server, …)`, then `app.onClose(() => io.close())`).
   */
  server: Server;
  lane: GpuLane;
  registry: Registry;
  logger: Logger;
  /** Media ingest (present with `deps.store`); the realtime layer forwards `ingest.events` to rooms. */
  ingest: IngestService | undefined;
  /** The Socket.IO layer and its live sessions (present with `deps.store`). */
  realtime: Realtime | undefined;
  /** Tokens, share links and rate limits (present with `deps.store`). */
  access: Access | undefined;
  /** Export jobs and their REST routes (present with `deps.store`). */
  exports: ExportsService | undefined;
  /** Mounts a router (its routes and its 405/501 answers); errors and 404s stay problem JSON. */
  mount(router: Router<AppState>): void;
  /** Runs `hook` during `close()`, after the server stops accepting and before the lane closes. */
  onClose(hook: () => void | Promise<void>): void;
  /** Starts listening (default `config.port` / `config.host`; port 0 picks a free one). */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops accepting connections, runs the close hooks, closes the lane (queued work is cancelled,
   * running work finishes) and waits up to `graceMs` for open requests before cutting them.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Builds the whole server from its dependencies. Listening is a separate step (`app.listen`). */
export function createApp(deps: AppDeps): App {
  const { config, engine } = deps;
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const registry = deps.registry ?? createMetricsRegistry();
  const ownsLane = !deps.lane;
  const lane = deps.lane ?? new GpuLane({ concurrency: config.laneConcurrency });
  const startedAt = performance.now();
  const closeHooks: Array<() => void | Promise<void>> = [];

  registerLaneMetrics(registry, lane);
  registerEngineMetrics(registry, engine);

  const koa = new Koa<AppState>();
  // Errors are answered and logged by `problems()`; this catches the rest (e.g. a response stream failing).
  koa.on('error', (err: unknown) => logger.error('response failed', { err }));

  koa.use(requestId(logger));
  koa.use(accessLog());
  koa.use(cors(config.corsOrigins));
  koa.use(problems());

  // Every mounted router, so the OpenAPI document describes exactly what is served.
  const mounted: Array<Router<AppState>> = [];
  const mount = (router: Router<AppState>) => {
    mounted.push(router);
    koa.use(router.routes());
    koa.use(router.allowedMethods());
  };
  let realtime: Realtime | undefined;
  let sessionsApi: ReturnType<typeof createSessionsApi> | undefined;
  const access = deps.store
    ? createAccess({
        config,
        store: deps.store,
        sessions: () => realtime?.sessions,
        isIngesting: (id) => sessionsApi?.ingest.isIngesting(id) ?? false,
      })
    : undefined;
  // Mounted ahead of the JSON parser: uploads stream to disk and base64 images exceed its limit.
  sessionsApi = deps.store
    ? createSessionsApi({
        config,
        store: deps.store,
        logger,
        overrides: deps.ingestOverrides ?? {},
        ...(access ? { ownerToken: (id: string) => access.links.ownerToken(id) } : {}),
      })
    : undefined;
  if (access) koa.use(sessionAccessGuard(access));
  if (sessionsApi) {
    mount(sessionsApi.router);
    closeHooks.push(() => sessionsApi.close());
  }
  koa.use(jsonBody(deps.jsonLimitBytes ?? DEFAULT_JSON_LIMIT_BYTES));
  mount(healthRouter({ engine, version: deps.version ?? SERVER_VERSION, startedAt }));
  mount(metricsRouter(registry));
  if (access && deps.store) mount(shareLinksRouter({ access, store: deps.store }));
  for (const router of deps.routers ?? []) mount(router);
  let exports: ExportsService | undefined;
  if (deps.store && sessionsApi) {
    // The same role decision as a realtime join: one place for tokens to plug into.
    const resolveRole: ResolveRole =
      deps.realtime?.authorize ??
      (access ? (sessionId, token) => access.control.authorizeJoin(sessionId, token) : OPEN_ACCESS);
    exports = createExportsService({
      blobs: deps.store.blobs,
      sessions: () => realtime!.sessions,
      resolveRole,
      io: () => realtime?.io,
      roomOf: roomName,
    });
    const service = exports;
    mount(service.router);
    // Before the realtime layer's hook: running exports end (and their files go) while rooms still exist.
    closeHooks.push(() => service.close());
    sessionsApi.ingest.events.on('removed', ({ sessionId }) => void service.jobs.forgetSession(sessionId));
    // REST commands run on the realtime layer's live sessions; it is attached below, before any request.
    const api = createRestApi(
      {
        sessions: () => realtime!.sessions,
        store: deps.store,
        ingest: sessionsApi.ingest,
        jobs: new JobHistory(deps.store),
        resolveRole,
        ...(access ? { ownerToken: (id: string) => access.links.ownerToken(id) } : {}),
        logger,
      },
      deps.version ?? SERVER_VERSION,
      () => mounted,
    );
    mount(api.router);
  }
  if (deps.staticDir) koa.use(staticFiles({ root: deps.staticDir }));

  const server = createServer(koa.callback());
  // Uploads of large videos may legitimately take longer than Node's 5-minute default; slow-header
  // attacks are still cut by `headersTimeout`.
  server.requestTimeout = 0;

  realtime = deps.store
    ? attachRealtime({
        corsOrigins: config.corsOrigins,
        ...(access
          ? {
              authorize: (sessionId: string, token: string | undefined) =>
                access.control.authorizeJoin(sessionId, token),
              beforeEvent: access.rateLimit,
              presenceMaxPerSec: access.presenceMaxPerSec,
            }
          : {}),
        ...deps.realtime,
        server,
        store: deps.store,
        engine,
        lane,
        logger,
        ingest: sessionsApi?.ingest,
      })
    : undefined;
  if (realtime) {
    const live = realtime;
    closeHooks.push(() => live.close());
    // A revoked link's holders are cut off at once (R20).
    access?.links.onRevoked((sessionId, linkId) => live.revoke(sessionId, linkId));
  }
  if (access && sessionsApi)
    sessionsApi.ingest.events.on('removed', ({ sessionId }) => access.links.forget(sessionId));

  let closing: Promise<void> | undefined;

  return {
    koa,
    server,
    lane,
    registry,
    logger,
    ingest: sessionsApi?.ingest,
    realtime,
    access,
    exports,
    mount,
    onClose: (hook) => {
      closeHooks.push(hook);
    },
    listen: (port = config.port, host = config.host) =>
      new Promise<AddressInfo>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException) => {
          reject(
            err.code === 'EADDRINUSE'
              ? new Error(`Port ${port} on ${host} is already in use; set PORT to another port`, {
                  cause: err,
                })
              : err,
          );
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: (options = {}) => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        for (const hook of closeHooks) {
          try {
            await hook();
          } catch (err) {
            logger.error('close hook failed', { err });
          }
        }
        if (ownsLane) await lane.close();
        const grace = setTimeout(() => server.closeAllConnections(), options.graceMs ?? 10_000);
        grace.unref();
        await stopped;
        clearTimeout(grace);
      })();
      return closing;
    },
  };
}
