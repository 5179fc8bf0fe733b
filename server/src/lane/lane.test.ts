import { describe, expect, it } from 'vitest';
import { CancelledError, CancelToken } from './cancel-token.ts';
import { GpuLane, type LaneEvent } from './lane.ts';

/** A promise with its resolve exposed, to hold a task open until the test lets it go. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets queued microtasks and promise chains settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GpuLane ordering', () => {
  it('runs one task at a time, highest priority first, FIFO within a priority', async () => {
    const lane = new GpuLane();
    const order: string[] = [];
    const first = gate();
    let concurrent = 0;
    let maxConcurrent = 0;
    const task = (label: string, wait?: Promise<void>) => async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      order.push(label);
      await (wait ?? settle());
      concurrent--;
      return label;
    };
    const results = [
      lane.run({ priority: 'export', label: 'blocker', fn: task('blocker', first.promise) }),
      lane.run({ priority: 'animation', label: 'a1', fn: task('a1') }),
      lane.run({ priority: 'export', label: 'e1', fn: task('e1') }),
      lane.run({ priority: 'propagation', label: 'p1', fn: task('p1') }),
      lane.run({ priority: 'interactive', label: 'i1', fn: task('i1') }),
      lane.run({ priority: 'propagation', label: 'p2', fn: task('p2') }),
      lane.run({ priority: 'interactive', label: 'i2', fn: task('i2') }),
      lane.run({ priority: 'export', label: 'e2', fn: task('e2') }),
    ];
    expect(lane.depth()).toBe(7);
    expect(lane.depth('interactive')).toBe(2);
    first.open();
    expect(await Promise.all(results)).toEqual(['blocker', 'a1', 'e1', 'p1', 'i1', 'p2', 'i2', 'e2']);
    expect(order).toEqual(['blocker', 'i1', 'i2', 'p1', 'p2', 'e1', 'e2', 'a1']);
    expect(maxConcurrent).toBe(1);
  });

  it('runs up to `concurrency` tasks at once', async () => {
    const lane = new GpuLane({ concurrency: 2 });
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      lane.run({
        priority: 'export',
        label: `t${i}`,
        fn: async () => {
          started.push(i);
          await g.promise;
        },
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect(lane.snapshot().running.map((r) => r.label)).toEqual(['t0', 't1']);
    gates[0]!.open();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.open();
    gates[2]!.open();
    await Promise.all(runs);
  });

  it('an error in one task rejects only that task and the lane goes on', async () => {
    const lane = new GpuLane();
    const failing = lane.run({
      priority: 'interactive',
      label: 'bad',
      fn: async () => {
        throw new Error('decoder exploded');
      },
    });
    const throwingSync = lane.run({
      priority: 'interactive',
      label: 'bad-sync',
      fn: () => {
        throw new Error('not even async');
      },
    });
    const next = lane.run({ priority: 'export', label: 'good', fn: async () => 42 });
    await expect(failing).rejects.toThrow('decoder exploded');
    await expect(throwingSync).rejects.toThrow('not even async');
    expect(await next).toBe(42);
    await lane.idle();
    expect(lane.runningCount).toBe(0);
  });
});

describe('GpuLane steps (preemption between steps)', () => {
  it('an interactive task submitted during a 50-step propagation starts before the next step', async () => {
    const lane = new GpuLane();
    const log: string[] = [];
    let click: Promise<string> | undefined;
    const frames: number[] = [];
    const done = lane.runSteps({
      priority: 'propagation',
      label: 'propagate',
      steps: 50,
      step: async (frame) => {
        log.push(`frame ${frame}`);
        if (frame === 20) {
          // A user clicks while frame 20 is being tracked.
          click = lane.run({
            priority: 'interactive',
            label: 'click',
            fn: async () => {
              log.push('click');
              return 'mask';
            },
          });
        }
        await settle();
        return frame * 10;
      },
      onStep: (result) => frames.push(result),
    });
    expect(await done).toBe(50);
    expect(await click).toBe('mask');
    expect(log.indexOf('click')).toBe(log.indexOf('frame 20') + 1);
    expect(log.filter((l) => l.startsWith('frame'))).toHaveLength(50);
    expect(frames).toEqual(Array.from({ length: 50 }, (_, i) => i * 10));
  });

  it('a propagation keeps its turn against lower priorities, and two propagations take turns', async () => {
    const lane = new GpuLane();
    const log: string[] = [];
    const step = (name: string) => async (frame: number) => {
      log.push(`${name}${frame}`);
      await settle();
    };
    const exportDone = lane.run({
      priority: 'export',
      label: 'export',
      fn: async () => void log.push('export'),
    });
    // The export is queued first but is only picked once both propagations have finished.
    const a = lane.runSteps({ priority: 'propagation', label: 'a', steps: 3, step: step('a') });
    const b = lane.runSteps({ priority: 'propagation', label: 'b', steps: [7, 8, 9], step: step('b') });
    await Promise.all([a, b, exportDone]);
    expect(log[0]).toBe('export');
    expect(log.slice(1)).toEqual(['a0', 'b7', 'a1', 'b8', 'a2', 'b9']);
  });

  it('a failing step rejects the job and runs no further step', async () => {
    const lane = new GpuLane();
    const seen: number[] = [];
    const job = lane.runSteps({
      priority: 'propagation',
      label: 'p',
      steps: 10,
      step: async (i) => {
        seen.push(i);
        if (i === 3) throw new Error('frame 3 is corrupt');
      },
    });
    await expect(job).rejects.toThrow('frame 3 is corrupt');
    await lane.idle();
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('an empty job resolves with 0 without running anything', async () => {
    const lane = new GpuLane();
    expect(await lane.runSteps({ priority: 'export', label: 'none', steps: [], step: async () => 1 })).toBe(
      0,
    );
  });
});

describe('GpuLane cancellation', () => {
  it('a queued task whose token is cancelled rejects at once with CANCELLED and never runs', async () => {
    const lane = new GpuLane();
    const blocker = gate();
    const running = lane.run({ priority: 'export', label: 'blocker', fn: () => blocker.promise });
    const token = new CancelToken();
    let ran = false;
    const queued = lane.run({
      priority: 'interactive',
      label: 'doomed',
      token,
      fn: async () => {
        ran = true;
      },
    });
    expect(lane.depth('interactive')).toBe(1);
    token.cancel('user left');
    expect(lane.depth('interactive')).toBe(0);
    const err = await queued.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(err).toMatchObject({ code: 'CANCELLED', reason: 'user left' });
    blocker.open();
    await running;
    await lane.idle();
    expect(ran).toBe(false);
  });

  it('a task submitted with an already cancelled token rejects without running', async () => {
    const lane = new GpuLane();
    const token = new CancelToken();
    token.cancel('too late');
    let ran = false;
    await expect(
      lane.run({
        priority: 'interactive',
        label: 'x',
        token,
        fn: async () => {
          ran = true;
        },
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(ran).toBe(false);
  });

  it('a running task sees token.cancelled and stops with throwIfCancelled', async () => {
    const lane = new GpuLane();
    const token = new CancelToken();
    const midway = gate();
    const resume = gate();
    let stepsDone = 0;
    const task = lane.run({
      priority: 'export',
      label: 'long export',
      token,
      fn: async (t) => {
        for (let i = 0; i < 10; i++) {
          t.throwIfCancelled();
          stepsDone++;
          if (i === 2) {
            midway.open();
            await resume.promise;
          }
        }
        return 'finished';
      },
    });
    await midway.promise;
    token.cancel('user pressed stop');
    expect(token.cancelled).toBe(true);
    resume.open();
    await expect(task).rejects.toMatchObject({ code: 'CANCELLED', reason: 'user pressed stop' });
    expect(stepsDone).toBe(3);
  });

  it('cancelling a step job between steps stops it before its next step', async () => {
    const lane = new GpuLane();
    const token = new CancelToken();
    const seen: number[] = [];
    const job = lane.runSteps({
      priority: 'propagation',
      label: 'p',
      token,
      steps: 50,
      step: async (i) => {
        seen.push(i);
        if (i === 4) token.cancel('stop propagation');
        await settle();
      },
    });
    await expect(job).rejects.toMatchObject({ code: 'CANCELLED', reason: 'stop propagation' });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('cancelling a parent token cancels queued work guarded by its children', async () => {
    const lane = new GpuLane();
    const blocker = gate();
    const running = lane.run({ priority: 'export', label: 'blocker', fn: () => blocker.promise });
    const session = new CancelToken();
    const a = lane.run({ priority: 'propagation', label: 'a', token: session.child(), fn: async () => 'a' });
    const b = lane.run({ priority: 'propagation', label: 'b', token: session.child(), fn: async () => 'b' });
    const other = lane.run({ priority: 'propagation', label: 'c', fn: async () => 'c' });
    session.cancel('session closed');
    await expect(a).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(b).rejects.toMatchObject({ code: 'CANCELLED' });
    blocker.open();
    await running;
    expect(await other).toBe('c');
  });

  it('close() rejects queued work, waits for running work and refuses new work', async () => {
    const lane = new GpuLane();
    const blocker = gate();
    const running = lane.run({
      priority: 'export',
      label: 'blocker',
      fn: async () => {
        await blocker.promise;
        return 'done';
      },
    });
    const queued = lane.run({ priority: 'interactive', label: 'q', fn: async () => 'never' });
    const closed = lane.close();
    await expect(queued).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(
      lane.run({ priority: 'interactive', label: 'late', fn: async () => 1 }),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    blocker.open();
    await closed;
    expect(await running).toBe('done');
  });
});

describe('GpuLane events', () => {
  it('reports one event per unit with outcome, wait and run time', async () => {
    let clock = 0;
    const lane = new GpuLane({ now: () => clock });
    const events: LaneEvent[] = [];
    lane.observe((e) => events.push(e));
    const blocker = gate();
    const first = lane.run({ priority: 'export', label: 'first', fn: () => blocker.promise });
    const token = new CancelToken();
    const dropped = lane.run({ priority: 'interactive', label: 'dropped', token, fn: async () => {} });
    const failed = lane.run({
      priority: 'interactive',
      label: 'failed',
      fn: async () => {
        throw new Error('boom');
      },
    });
    clock = 5;
    token.cancel();
    clock = 30;
    blocker.open();
    await first;
    await dropped.catch(() => {});
    await failed.catch(() => {});
    await lane.idle();
    expect(events).toEqual([
      { priority: 'interactive', label: 'dropped', outcome: 'cancelled', waitMs: 5 },
      { priority: 'export', label: 'first', outcome: 'ok', waitMs: 0, runMs: 30 },
      { priority: 'interactive', label: 'failed', outcome: 'failed', waitMs: 30, runMs: 0 },
    ]);
  });
});
