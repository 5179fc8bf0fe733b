import type { ParameterizedContext } from 'koa';
import type { Logger } from '../observability/logger.ts';

/** What the middleware puts on `ctx.state` for every request. */
export interface AppState {
  /** The request id (from `X-Request-Id` when the caller sent a sane one), echoed in the response. */
  requestId: string;
  /** A logger that stamps every line with the request id. */
  log: Logger;
}

/** The Koa context every Roto route and middleware sees. */
export type AppContext = ParameterizedContext<AppState>;
