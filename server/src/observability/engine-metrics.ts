import { Gauge, type Registry } from 'prom-client';
import type { InferenceEngine } from '../inference/engine.ts';

const STATUSES = ['loading', 'ready', 'missing', 'error'] as const;

/**
 * Exposes the model on `registry`: `roto_model_status{pack,status}` (1 for the current status, 0 for
 * the others, so an alert can fire on `roto_model_status{status="ready"} == 0`) and
 * `roto_embedding_cache_bytes`.
 */
export function registerEngineMetrics(registry: Registry, engine: InferenceEngine): void {
  new Gauge({
    name: 'roto_model_status',
    help: 'Model pack status: 1 for the current status of the pack, 0 for the others',
    labelNames: ['pack', 'status'],
    registers: [registry],
    collect() {
      const info = engine.info();
      for (const status of STATUSES) this.set({ pack: info.pack, status }, info.status === status ? 1 : 0);
    },
  });
  new Gauge({
    name: 'roto_embedding_cache_bytes',
    help: 'Bytes held by the image-embedding cache',
    registers: [registry],
    collect() {
      this.set(engine.cacheBytes());
    },
  });
}
