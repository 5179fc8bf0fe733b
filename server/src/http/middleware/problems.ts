import { RotoError } from '@roto/shared';
import type { Middleware } from 'koa';
import type { AppState } from '../context.ts';
import { toProblem } from '../problem.ts';

/**
 * Turns every error below it into an RFC 9457 `application/problem+json` response (see
 * `toProblem`), logs unexpected ones with their stack, and answers a request no route handled
 * with a NOT_FOUND problem (a wrong method with a 405 problem). Routers mounted at any time after it are covered.
 */
export function problems(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body == null && ctx.status === 404) {
        throw new RotoError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
      }
      if (ctx.body == null && (ctx.status === 405 || ctx.status === 501)) {
        // The router's answer to a known path with the wrong method: keep its status and `Allow`.
        const allow = ctx.response.get('Allow');
        const message = `${ctx.method} is not allowed on ${ctx.path}${allow ? ` (allowed: ${allow})` : ''}`;
        throw Object.assign(new Error(message), {
          status: ctx.status,
          expose: true,
          headers: allow ? { Allow: allow } : {},
        });
      }
    } catch (err) {
      const problem = toProblem(err, ctx.state.requestId);
      if (problem.unexpected)
        ctx.state.log.error('unhandled error', { err, method: ctx.method, path: ctx.path });
      // Headers set by the failed handler (content-type, caching…) do not describe the problem body.
      for (const name of Object.keys(ctx.response.headers)) {
        if (name !== 'x-request-id' && name !== 'vary' && !name.startsWith('access-control-'))
          ctx.remove(name);
      }
      ctx.set(problem.headers);
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = JSON.stringify({ ...problem.body, instance: ctx.path });
    }
  };
}
