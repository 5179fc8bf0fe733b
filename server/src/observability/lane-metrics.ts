import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { GpuLane } from '../lane/lane.ts';
import { LANE_PRIORITIES } from '../lane/priority.ts';

/**
 * Buckets in seconds: a decoder call is 50–150 ms on CPU and a few ms on a GPU; an image encode is
 * seconds on CPU. Waits share the buckets so the two histograms read side by side.
 */
const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Exposes the GPU lane on `registry`:
 * - `roto_lane_queue_depth{priority}` units waiting now,
 * - `roto_lane_running` units running now,
 * - `roto_lane_wait_seconds{priority}` time from queueing to start,
 * - `roto_lane_run_seconds{priority}` time spent running,
 * - `roto_lane_tasks_total{priority,outcome}` units finished (`ok`, `failed`, `cancelled`).
 * A unit is one `run` task or one step of a `runSteps` job. Returns the function that detaches.
 */
export function registerLaneMetrics(registry: Registry, lane: GpuLane): () => void {
  new Gauge({
    name: 'roto_lane_queue_depth',
    help: 'Units of model work waiting in the GPU lane, per priority',
    labelNames: ['priority'],
    registers: [registry],
    collect() {
      for (const priority of LANE_PRIORITIES) this.set({ priority }, lane.depth(priority));
    },
  });
  new Gauge({
    name: 'roto_lane_running',
    help: 'Units of model work running in the GPU lane',
    registers: [registry],
    collect() {
      this.set(lane.runningCount);
    },
  });
  const wait = new Histogram({
    name: 'roto_lane_wait_seconds',
    help: 'Time a unit of model work waited in the GPU lane before it started (or was cancelled)',
    labelNames: ['priority'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const run = new Histogram({
    name: 'roto_lane_run_seconds',
    help: 'Time a unit of model work ran in the GPU lane',
    labelNames: ['priority'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const tasks = new Counter({
    name: 'roto_lane_tasks_total',
    help: 'Units of model work finished by the GPU lane, per priority and outcome (ok, failed, cancelled)',
    labelNames: ['priority', 'outcome'],
    registers: [registry],
  });
  // Start every series at zero so dashboards and alerts see them before the first task.
  for (const priority of LANE_PRIORITIES) {
    wait.zero({ priority });
    run.zero({ priority });
    for (const outcome of ['ok', 'failed', 'cancelled']) tasks.inc({ priority, outcome }, 0);
  }
  return lane.observe((event) => {
    wait.observe({ priority: event.priority }, event.waitMs / 1000);
    if (event.runMs !== undefined) run.observe({ priority: event.priority }, event.runMs / 1000);
    tasks.inc({ priority: event.priority, outcome: event.outcome });
  });
}
