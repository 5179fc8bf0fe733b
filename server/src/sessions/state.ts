/**
 * A session's document: objects, prompts per frame, masks per frame, running jobs. Changed only by
 * applying durable facts (`apply`), live and on replay alike, so a restored session is the same
 * document its participants saw. The owner is `SessionRoom`.
 */
import type {
  DurableFact,
  JobInfo,
  JobProgress,
  MaskIndexEntry,
  MaskSource,
  MediaInfo,
  PromptSet,
  RunningJob,
  StoredMask,
  TrackedObject,
} from '@roto/shared';
import type { FactBody } from './records.ts';

/** One stored mask. */
export interface MaskEntry {
  version: number;
  /** RM binary RLE bytes. */
  bytes: Uint8Array;
  present: boolean;
  source: MaskSource;
  direction?: 'forward' | 'backward';
  stale: boolean;
}

/** A job as the document knows it; progress is kept fresh by the room while it runs. */
export interface JobEntry {
  job: JobInfo;
  progress: JobProgress;
}

/** Where the frames of the session are (from the ingest record). */
export interface FramesInfo {
  dir: string;
  count: number;
  width: number;
  height: number;
}

/** What a store snapshot of the document holds. */
export interface StateSnapshot {
  kind: 'roto-session';
  v: 1;
  media: MediaInfo;
  frames: FramesInfo;
  objects: TrackedObject[];
  nextObjectId: number;
  prompts: Array<{ objectId: number; frame: number; prompts: PromptSet }>;
  masks: Array<{ objectId: number; frame: number } & MaskEntry>;
  jobs: JobEntry[];
  /** Undo/redo stacks per client id (see `History`). */
  history?: Array<{
    clientId: string;
    undo: Array<{ command: string; facts: FactBody[] }>;
    redo: Array<{ command: string; facts: FactBody[] }>;
  }>;
}

export class SessionState {
  seq = 0;
  nextObjectId = 1;
  readonly objects = new Map<number, TrackedObject>();
  readonly prompts = new Map<number, Map<number, PromptSet>>();
  readonly masks = new Map<number, Map<number, MaskEntry>>();
  readonly jobs = new Map<string, JobEntry>();
  /** Bytes of mask data held (for the manager's memory budget). */
  maskBytes = 0;

  constructor(
    readonly media: MediaInfo,
    readonly frames: FramesInfo,
  ) {}

  promptsOf(objectId: number): ReadonlyMap<number, PromptSet> {
    return this.prompts.get(objectId) ?? new Map();
  }

  masksOf(objectId: number): ReadonlyMap<number, MaskEntry> {
    return this.masks.get(objectId) ?? new Map();
  }

  /** Applies one durable fact. Lenient: a fact about an object that is gone changes nothing. */
  apply(fact: DurableFact): void {
    this.seq = Math.max(this.seq, fact.seq);
    switch (fact.type) {
      case 'object:created':
      case 'object:updated':
        this.objects.set(fact.object.id, fact.object);
        this.nextObjectId = Math.max(this.nextObjectId, fact.object.id + 1);
        return;
      case 'object:deleted':
        this.objects.delete(fact.objectId);
        this.prompts.delete(fact.objectId);
        for (const m of this.masksOf(fact.objectId).values()) this.maskBytes -= m.bytes.byteLength;
        this.masks.delete(fact.objectId);
        return;
      case 'prompts:updated': {
        if (!this.objects.has(fact.objectId)) return;
        const frames = this.prompts.get(fact.objectId) ?? new Map<number, PromptSet>();
        if (fact.prompts) frames.set(fact.frame, fact.prompts);
        else frames.delete(fact.frame);
        this.prompts.set(fact.objectId, frames);
        return;
      }
      case 'mask:updated': {
        if (!this.objects.has(fact.objectId)) return;
        const frames = this.masks.get(fact.objectId) ?? new Map<number, MaskEntry>();
        const old = frames.get(fact.frame);
        if (old) this.maskBytes -= old.bytes.byteLength;
        const entry: MaskEntry = {
          version: fact.version,
          bytes: fact.mask,
          present: fact.present,
          source: fact.source,
          stale: false,
        };
        if (fact.direction) entry.direction = fact.direction;
        frames.set(fact.frame, entry);
        this.maskBytes += fact.mask.byteLength;
        this.masks.set(fact.objectId, frames);
        return;
      }
      case 'masks:removed': {
        const frames = this.masks.get(fact.objectId);
        for (const f of fact.frames) {
          const old = frames?.get(f);
          if (old) this.maskBytes -= old.bytes.byteLength;
          frames?.delete(f);
        }
        return;
      }
      case 'masks:stale': {
        const frames = this.masks.get(fact.objectId);
        for (const f of fact.frames) {
          const m = frames?.get(f);
          if (m) m.stale = true;
        }
        return;
      }
      case 'job:started':
        this.jobs.set(fact.job.jobId, {
          job: fact.job,
          progress: { done: 0, total: fact.total, fps: 0, etaSec: null, counter: 0 },
        });
        return;
      case 'job:finished':
      case 'job:failed':
      case 'job:cancelled':
        this.jobs.delete(fact.jobId);
        return;
      default: {
        const never: never = fact;
        throw new Error(`unknown fact ${(never as { type: string }).type}`);
      }
    }
  }

  /** The current mask version of (object, frame), 0 when it never had one. */
  maskVersion(objectId: number, frame: number): number {
    return this.masks.get(objectId)?.get(frame)?.version ?? 0;
  }

  /** Facts that restore the current state of what `facts` would change (computed before applying them). */
  inverse(facts: readonly FactBody[]): FactBody[] {
    const out: FactBody[][] = [];
    for (const fact of facts) out.push(this.inverseOf(fact));
    return out.reverse().flat();
  }

  private restoreMask(objectId: number, frame: number, m: MaskEntry): FactBody[] {
    const fact: FactBody = {
      type: 'mask:updated',
      objectId,
      frame,
      version: 0,
      mask: m.bytes,
      present: m.present,
      source: m.source,
      ...(m.direction ? { direction: m.direction } : {}),
    };
    return m.stale ? [fact, { type: 'masks:stale', objectId, frames: [frame] }] : [fact];
  }

  private inverseOf(fact: FactBody): FactBody[] {
    switch (fact.type) {
      case 'object:created':
        return [{ type: 'object:deleted', objectId: fact.object.id }];
      case 'object:updated': {
        const prev = this.objects.get(fact.object.id);
        return prev ? [{ type: 'object:updated', object: prev }] : [];
      }
      case 'object:deleted': {
        const prev = this.objects.get(fact.objectId);
        if (!prev) return [];
        const out: FactBody[] = [{ type: 'object:created', object: prev }];
        for (const [frame, prompts] of this.promptsOf(fact.objectId))
          out.push({ type: 'prompts:updated', objectId: prev.id, frame, prompts });
        for (const [frame, m] of this.masksOf(fact.objectId))
          out.push(...this.restoreMask(prev.id, frame, m));
        return out;
      }
      case 'prompts:updated':
        return [
          {
            type: 'prompts:updated',
            objectId: fact.objectId,
            frame: fact.frame,
            prompts: this.promptsOf(fact.objectId).get(fact.frame) ?? null,
          },
        ];
      case 'mask:updated': {
        const prev = this.masksOf(fact.objectId).get(fact.frame);
        return prev
          ? this.restoreMask(fact.objectId, fact.frame, prev)
          : [{ type: 'masks:removed', objectId: fact.objectId, frames: [fact.frame] }];
      }
      case 'masks:removed':
        return fact.frames.flatMap((f) => {
          const prev = this.masksOf(fact.objectId).get(f);
          return prev ? this.restoreMask(fact.objectId, f, prev) : [];
        });
      // Staleness is not undone (a mask once known stale stays suspect) and jobs are not undoable.
      case 'masks:stale':
      case 'job:started':
      case 'job:finished':
      case 'job:failed':
      case 'job:cancelled':
        return [];
      default: {
        const never: never = fact;
        throw new Error(`unknown fact ${(never as { type: string }).type}`);
      }
    }
  }

  /**
   * Propagated masks of `objectId` made obsolete by a prompt change on `frame`: those tracked
   * forward after it and those tracked backward before it (they were computed from older prompts).
   */
  staleAfterPromptChange(objectId: number, frame: number): number[] {
    const out: number[] = [];
    for (const [f, m] of this.masksOf(objectId)) {
      if (m.stale || m.source !== 'propagation') continue;
      if ((m.direction === 'forward' && f > frame) || (m.direction === 'backward' && f < frame)) out.push(f);
    }
    return out.sort((a, b) => a - b);
  }

  maskIndex(): MaskIndexEntry[] {
    const out: MaskIndexEntry[] = [];
    for (const [objectId, frames] of this.masks) {
      for (const [frame, m] of frames)
        out.push({
          objectId,
          frame,
          version: m.version,
          present: m.present,
          source: m.source,
          stale: m.stale,
        });
    }
    return out.sort((a, b) => a.frame - b.frame || a.objectId - b.objectId);
  }

  /** Stored masks in frame order, filtered; at most `limit` (+ whether more matched). */
  fetchMasks(
    objectIds: readonly number[] | undefined,
    range: { from: number; to: number } | undefined,
    limit: number,
  ): { masks: StoredMask[]; more: boolean } {
    const want = objectIds ? new Set(objectIds) : null;
    const all: StoredMask[] = [];
    for (const [objectId, frames] of this.masks) {
      if (want && !want.has(objectId)) continue;
      for (const [frame, m] of frames) {
        if (range && (frame < range.from || frame > range.to)) continue;
        all.push({
          objectId,
          frame,
          version: m.version,
          present: m.present,
          source: m.source,
          stale: m.stale,
          mask: m.bytes,
        });
      }
    }
    all.sort((a, b) => a.frame - b.frame || a.objectId - b.objectId);
    return { masks: all.slice(0, limit), more: all.length > limit };
  }

  promptList(): Array<{ objectId: number; frame: number; prompts: PromptSet }> {
    const out: Array<{ objectId: number; frame: number; prompts: PromptSet }> = [];
    for (const [objectId, frames] of this.prompts)
      for (const [frame, prompts] of frames) out.push({ objectId, frame, prompts });
    return out.sort((a, b) => a.frame - b.frame || a.objectId - b.objectId);
  }

  runningJobs(): RunningJob[] {
    return [...this.jobs.values()].map((j) => ({ job: j.job, progress: { ...j.progress } }));
  }

  toSnapshot(): StateSnapshot {
    const masks: StateSnapshot['masks'] = [];
    for (const [objectId, frames] of this.masks)
      for (const [frame, m] of frames) masks.push({ objectId, frame, ...m });
    return {
      kind: 'roto-session',
      v: 1,
      media: this.media,
      frames: this.frames,
      objects: [...this.objects.values()],
      nextObjectId: this.nextObjectId,
      prompts: this.promptList(),
      masks,
      jobs: [...this.jobs.values()],
    };
  }

  static fromSnapshot(s: StateSnapshot, seq: number): SessionState {
    const state = new SessionState(s.media, s.frames);
    state.seq = seq;
    state.nextObjectId = s.nextObjectId;
    for (const o of s.objects) state.objects.set(o.id, o);
    for (const p of s.prompts) {
      const frames = state.prompts.get(p.objectId) ?? new Map<number, PromptSet>();
      frames.set(p.frame, p.prompts);
      state.prompts.set(p.objectId, frames);
    }
    for (const { objectId, frame, ...m } of s.masks) {
      const frames = state.masks.get(objectId) ?? new Map<number, MaskEntry>();
      frames.set(frame, m);
      state.masks.set(objectId, frames);
      state.maskBytes += m.bytes.byteLength;
    }
    for (const j of s.jobs) state.jobs.set(j.job.jobId, j);
    return state;
  }
}
