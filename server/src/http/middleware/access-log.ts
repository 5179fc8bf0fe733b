import type { Middleware } from 'koa';
import type { AppState } from '../context.ts';

/**
 * One line per request once the response is decided: method, path, status, duration. Probes and
 * scrapes (`/healthz`, `/readyz`, `/metrics`) log at debug so they do not drown the log.
 */
export function accessLog(
  quietPaths: readonly string[] = ['/healthz', '/readyz', '/metrics'],
): Middleware<AppState> {
  return async (ctx, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const fields = {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Math.round((performance.now() - start) * 10) / 10,
      };
      if (quietPaths.includes(ctx.path) && ctx.status < 400) ctx.state.log.debug('request', fields);
      else ctx.state.log.info('request', fields);
    }
  };
}
