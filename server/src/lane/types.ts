import type { CancelToken } from './cancel-token.ts';
import type { LanePriority } from './priority.ts';

/** One piece of model work: a click's decode, one frame of propagation, one export tile. */
export interface LaneTask<T> {
  priority: LanePriority;
  /** Names the work in logs and `snapshot()`; keep it short (`click s1/f12`). */
  label: string;
  /** Cancels the task: at once while queued, cooperatively while running. */
  token?: CancelToken;
  /** The work. It receives the task's token (a fresh one when none was given). */
  fn: (token: CancelToken) => Promise<T>;
}

/**
 * A long job split into small steps (one propagation frame each). Only one step is queued at a time
 * and it goes to the back of its priority's queue, so work of a higher priority submitted while a
 * step runs starts right after that step, and two jobs of the same priority take turns.
 */
export interface LaneStepJob<I, R> {
  priority: LanePriority;
  label: string;
  token?: CancelToken;
  /** The step inputs (e.g. frame indices), pulled lazily; a number n means 0 … n − 1. */
  steps: Iterable<I> | number;
  step: (item: I, index: number, token: CancelToken) => Promise<R>;
  /**
   * Called synchronously with each step's result, before the next step is queued (emit the mask
   * here). A throw fails the job. Keep it cheap: the job holds its place in the queue meanwhile.
   */
  onStep?: (result: R, item: I, index: number) => void;
}

/** How a unit of work (a task, or one step of a job) ended. */
export type LaneOutcome = 'ok' | 'failed' | 'cancelled';

/** Reported once per unit of work; the metrics module turns these into Prometheus series. */
export interface LaneEvent {
  priority: LanePriority;
  label: string;
  outcome: LaneOutcome;
  /** Milliseconds from queueing to start (or to removal, for work cancelled in the queue). */
  waitMs: number;
  /** Milliseconds of running; absent when the work was cancelled before it started. */
  runMs?: number;
}

/** What the lane is doing now, for logs and debugging endpoints. */
export interface LaneSnapshot {
  running: Array<{ label: string; priority: LanePriority; runningMs: number }>;
  queued: Record<LanePriority, number>;
}

export interface GpuLaneOptions {
  /** Units of work allowed to run at once; 1 (the default) for one accelerator. */
  concurrency?: number;
  /** Clock in milliseconds; injectable only so tests can make waits deterministic. */
  now?: () => number;
}
