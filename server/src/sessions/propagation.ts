/**
 * Which frames a propagation computes, and how its progress is reported. Only frames that depend
 * on a change are recomputed: tracking in a direction starts at the first frame, past the object's
 * first prompted frame, whose mask is missing, stale or from the other direction, and runs to the
 * end of the range from there (later frames depend on it through the memory bank).
 */
import type { Direction, JobProgress } from '@roto/shared';
import type { SessionState } from './state.ts';

/** One lane step: track one object onto one frame. */
export interface TrackStep {
  frame: number;
  objectId: number;
  direction: 'forward' | 'backward';
}

function frameSteps(
  state: SessionState,
  objectId: number,
  dir: 'forward' | 'backward',
  from: number,
  to: number,
): number[] {
  const prompted = [...state.promptsOf(objectId).keys()];
  if (prompted.length === 0) return [];
  const masks = state.masksOf(objectId);
  const isPrompted = (f: number) => state.promptsOf(objectId).has(f);
  const fresh = (f: number) => {
    if (isPrompted(f)) return true;
    const m = masks.get(f);
    return m !== undefined && !m.stale && m.source === 'propagation' && m.direction === dir;
  };
  const frames: number[] = [];
  if (dir === 'forward') {
    const anchor = Math.min(...prompted);
    for (let f = Math.max(anchor + 1, from); f <= to; f++) frames.push(f);
  } else {
    const anchor = Math.max(...prompted);
    for (let f = Math.min(anchor - 1, to); f >= from; f--) frames.push(f);
  }
  const first = frames.findIndex((f) => !fresh(f));
  if (first < 0) return [];
  return frames.slice(first).filter((f) => !isPrompted(f));
}

/**
 * The steps of a propagation, frame-major (every object on a frame before the next frame), so
 * participants see the video fill in front to back; `both` runs forward, then backward.
 */
export function planPropagation(
  state: SessionState,
  objectIds: readonly number[],
  direction: Direction,
  range: { from: number; to: number },
): TrackStep[] {
  const dirs: Array<'forward' | 'backward'> = direction === 'both' ? ['forward', 'backward'] : [direction];
  const steps: TrackStep[] = [];
  for (const dir of dirs) {
    const byFrame = new Map<number, number[]>();
    for (const objectId of objectIds) {
      for (const frame of frameSteps(state, objectId, dir, range.from, range.to)) {
        const list = byFrame.get(frame) ?? [];
        list.push(objectId);
        byFrame.set(frame, list);
      }
    }
    const frames = [...byFrame.keys()].sort((a, b) => (dir === 'forward' ? a - b : b - a));
    for (const frame of frames)
      for (const objectId of byFrame.get(frame)!) steps.push({ frame, objectId, direction: dir });
  }
  return steps;
}

/** Progress of a job: throughput over the steps done so far and the time left at that pace. */
export class ProgressMeter {
  private done = 0;
  private counter = 0;
  private readonly startedAt: number;

  constructor(
    readonly total: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  /** Counts one step done and returns the report to publish. */
  step(): JobProgress {
    this.done += 1;
    return this.current();
  }

  current(): JobProgress {
    const elapsedSec = (this.now() - this.startedAt) / 1000;
    const fps = elapsedSec > 0 ? this.done / elapsedSec : 0;
    const left = this.total - this.done;
    this.counter += 1;
    return {
      done: this.done,
      total: this.total,
      fps,
      etaSec: fps > 0 ? left / fps : null,
      counter: this.counter,
    };
  }

  get stepsDone(): number {
    return this.done;
  }
}
