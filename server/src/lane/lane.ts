import { CancelledError, CancelToken, isCancelled } from './cancel-token.ts';
import { LANE_PRIORITIES, type LanePriority } from './priority.ts';
import type { GpuLaneOptions, LaneEvent, LaneOutcome, LaneSnapshot, LaneStepJob, LaneTask } from './types.ts';

export type { GpuLaneOptions, LaneEvent, LaneOutcome, LaneSnapshot, LaneStepJob, LaneTask } from './types.ts';

interface Entry {
  priority: LanePriority;
  label: string;
  token: CancelToken;
  enqueuedAt: number;
  detach: () => void;
  /** Runs one unit; resolves whether the entry wants to be queued again (next step). */
  runUnit(): Promise<{ again: boolean; outcome: LaneOutcome }>;
  reject(err: unknown): void;
}

/**
 * The single scheduler of all model work (the "GPU lane"). One unit runs at a time (by default);
 * the next is the oldest queued unit of the highest priority. Errors of one unit reject only its
 * caller. Long jobs go through `runSteps` so a click never waits for more than one step.
 *
 * ```ts
 * // A click: one task.
 * const mask = await lane.run({ priority: 'interactive', label: `click ${sid}/f${f}`,
 *   fn: () => state.addPrompts(f, obj, prompts) });
 * // A propagation: one step per frame, cancellable between frames.
 * const job = session.token.child();
 * await lane.runSteps({ priority: 'propagation', label: `propagate ${sid}`, token: job,
 *   steps: framesAfter(start), step: (frame) => state.track(frame, obj, 'forward'),
 *   onStep: (mask, frame) => emitMask(frame, mask) });
 * ```
 */
export class GpuLane {
  readonly concurrency: number;
  readonly #now: () => number;
  readonly #queues = new Map<LanePriority, Entry[]>(LANE_PRIORITIES.map((p) => [p, []]));
  readonly #running = new Map<Entry, number>();
  readonly #listeners = new Set<(event: LaneEvent) => void>();
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(options: GpuLaneOptions = {}) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`GPU lane concurrency must be a positive integer, got ${concurrency}`);
    }
    this.concurrency = concurrency;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Queues one task and resolves (or rejects) with its result. */
  run<T>(task: LaneTask<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const token = task.token ?? new CancelToken();
      const entry = this.#entry(task.priority, task.label, token, reject, async () => {
        try {
          const value = await task.fn(token);
          resolve(value);
          return { again: false, outcome: 'ok' };
        } catch (err) {
          reject(err);
          return { again: false, outcome: isCancelled(err) ? 'cancelled' : 'failed' };
        }
      });
      this.#submit(entry);
    });
  }

  /**
   * Runs a job step by step (see `LaneStepJob`). Resolves with the number of steps run; rejects with
   * the first step's error, or a `CancelledError` when the token is cancelled between steps.
   */
  runSteps<R>(job: LaneStepJob<number, R> & { steps: number | Iterable<number> }): Promise<number>;
  runSteps<I, R>(job: LaneStepJob<I, R>): Promise<number>;
  runSteps<I, R>(job: LaneStepJob<I, R>): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const token = job.token ?? new CancelToken();
      const items = (typeof job.steps === 'number' ? range(job.steps) : job.steps) as Iterable<I>;
      const iterator = items[Symbol.iterator]();
      let current = iterator.next();
      let index = 0;
      if (current.done) {
        resolve(0);
        return;
      }
      const entry = this.#entry(job.priority, job.label, token, reject, async () => {
        const item = current.value as I;
        try {
          const result = await job.step(item, index, token);
          job.onStep?.(result, item, index);
          index += 1;
          current = iterator.next();
        } catch (err) {
          reject(err);
          return { again: false, outcome: isCancelled(err) ? 'cancelled' : 'failed' };
        }
        // The step itself succeeded either way; a cancel seen here ends the job before its next step.
        if (current.done) resolve(index);
        else if (token.cancelled) reject(new CancelledError(token.reason ?? 'cancelled'));
        return { again: !current.done && !token.cancelled, outcome: 'ok' };
      });
      this.#submit(entry);
    });
  }

  /** Subscribes to per-unit events (for metrics); returns the unsubscribe function. */
  observe(listener: (event: LaneEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Units queued at `priority`, or at every priority when omitted. */
  depth(priority?: LanePriority): number {
    if (priority) return this.#queues.get(priority)?.length ?? 0;
    let total = 0;
    for (const queue of this.#queues.values()) total += queue.length;
    return total;
  }

  /** Units running now. */
  get runningCount(): number {
    return this.#running.size;
  }

  snapshot(): LaneSnapshot {
    const now = this.#now();
    const queued = Object.fromEntries(
      LANE_PRIORITIES.map((p) => [p, this.depth(p)]),
    ) as LaneSnapshot['queued'];
    const running = [...this.#running].map(([e, startedAt]) => ({
      label: e.label,
      priority: e.priority,
      runningMs: now - startedAt,
    }));
    return { running, queued };
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.#running.size === 0 && this.depth() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops the lane: queued work rejects with a `CancelledError`, later submissions too; resolves once
   * running work has finished (it is not interrupted: cancel its tokens first for a fast exit).
   */
  close(reason = 'the server is shutting down'): Promise<void> {
    this.#closed = true;
    for (const queue of this.#queues.values()) {
      for (const entry of queue.splice(0)) this.#drop(entry, reason);
    }
    return this.idle();
  }

  #entry(
    priority: LanePriority,
    label: string,
    token: CancelToken,
    reject: (err: unknown) => void,
    runUnit: Entry['runUnit'],
  ): Entry {
    if (!this.#queues.has(priority)) throw new RangeError(`unknown GPU lane priority "${priority}"`);
    return { priority, label, token, enqueuedAt: 0, detach: () => {}, runUnit, reject };
  }

  #submit(entry: Entry): void {
    entry.enqueuedAt = this.#now();
    if (this.#closed || entry.token.cancelled) {
      this.#drop(entry, this.#closed ? 'the GPU lane is closed' : (entry.token.reason ?? 'cancelled'));
      return;
    }
    this.#queues.get(entry.priority)!.push(entry);
    entry.detach = entry.token.onCancel((reason) => {
      const queue = this.#queues.get(entry.priority)!;
      const at = queue.indexOf(entry);
      if (at >= 0) {
        queue.splice(at, 1);
        this.#drop(entry, reason);
        this.#checkIdle();
      }
    });
    this.#pump();
  }

  #drop(entry: Entry, reason: string): void {
    entry.detach();
    entry.reject(new CancelledError(reason));
    this.#emit({
      priority: entry.priority,
      label: entry.label,
      outcome: 'cancelled',
      waitMs: this.#now() - entry.enqueuedAt,
    });
  }

  #pump(): void {
    while (this.#running.size < this.concurrency) {
      const entry = this.#next();
      if (!entry) break;
      void this.#start(entry);
    }
  }

  #next(): Entry | undefined {
    for (const priority of LANE_PRIORITIES) {
      const entry = this.#queues.get(priority)!.shift();
      if (entry) return entry;
    }
    return undefined;
  }

  async #start(entry: Entry): Promise<void> {
    entry.detach();
    const startedAt = this.#now();
    this.#running.set(entry, startedAt);
    const waitMs = startedAt - entry.enqueuedAt;
    let result: { again: boolean; outcome: LaneOutcome };
    try {
      result = await entry.runUnit();
    } catch (err) {
      // runUnit settles its caller itself; this only guards the lane against a bug in that bookkeeping.
      entry.reject(err);
      result = { again: false, outcome: 'failed' };
    }
    this.#running.delete(entry);
    this.#emit({
      priority: entry.priority,
      label: entry.label,
      outcome: result.outcome,
      waitMs,
      runMs: this.#now() - startedAt,
    });
    // Re-queue before picking the next unit: the job keeps its turn against lower priorities.
    if (result.again) this.#submit(entry);
    this.#pump();
    this.#checkIdle();
  }

  #emit(event: LaneEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // Metrics must never break scheduling.
      }
    }
  }

  #checkIdle(): void {
    if (this.#running.size > 0 || this.depth() > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}
