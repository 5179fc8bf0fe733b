import { Router } from '@koa/router';
import type { Registry } from 'prom-client';
import type { AppState } from './context.ts';

/** `GET /metrics`: the app's Prometheus registry in the text exposition format. */
export function metricsRouter(registry: Registry): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
