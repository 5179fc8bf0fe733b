import { Router } from '@koa/router';
import { RotoError } from '@roto/shared';
import type { EngineInfo, InferenceEngine } from '../inference/engine.ts';
import type { AppState } from './context.ts';

/** The body of `GET /healthz`. */
export interface HealthBody {
  status: 'ok';
  version: string;
  uptimeSec: number;
  model: EngineInfo;
}

export interface HealthDeps {
  engine: Pick<InferenceEngine, 'info'>;
  version: string;
  /** When the server started, in `performance.now()` milliseconds. */
  startedAt: number;
}

/**
 * Probes.
 * - `GET /healthz`: 200 whenever the process serves HTTP (liveness), with the version, uptime and the
 *   model's status: a missing pack is reported here, with the command that fetches it.
 * - `GET /readyz`: 200 when the model is loaded and requests can be served (readiness); otherwise 503
 *   with a MODEL_UNAVAILABLE problem saying why and how to fix it.
 */
export function healthRouter(deps: HealthDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/healthz', (ctx) => {
    const body: HealthBody = {
      status: 'ok',
      version: deps.version,
      uptimeSec: Math.round((performance.now() - deps.startedAt) / 1000),
      model: deps.engine.info(),
    };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  });
  router.get('/readyz', (ctx) => {
    const model = deps.engine.info();
    ctx.set('Cache-Control', 'no-store');
    if (model.status !== 'ready') throw new RotoError('MODEL_UNAVAILABLE', notReadyDetail(model), { model });
    ctx.body = { status: 'ready', model };
  });
  return router;
}

function notReadyDetail(model: EngineInfo): string {
  const why = model.message ?? `Model pack "${model.pack}" is ${model.status}.`;
  return model.fetchCommand && !why.includes(model.fetchCommand)
    ? `${why} Fetch it with: ${model.fetchCommand}`
    : why;
}
