import type { Middleware } from 'koa';
import type { AppState } from '../context.ts';

/**
 * CORS for the origins in `CORS_ORIGINS` (`*` allows any). With none configured the middleware does
 * nothing and browsers keep the same-origin rule: the web app is served by this server.
 */
export function cors(origins: readonly string[]): Middleware<AppState> {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (origins.length === 0 || !origin) return next();
    ctx.vary('Origin');
    if (!any && !allowed.has(origin)) return next();
    ctx.set('Access-Control-Allow-Origin', any ? '*' : origin);
    ctx.set('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After');
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE');
      ctx.set('Access-Control-Allow-Headers', ctx.get('access-control-request-headers') || 'Content-Type');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}
