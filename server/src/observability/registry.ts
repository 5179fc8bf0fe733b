import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A Prometheus registry owned by one app instance (never prom-client's global one, so two apps in
 * one process — tests — do not share or clash over series), with the standard process metrics
 * (CPU, memory, event-loop lag, GC, handles).
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
