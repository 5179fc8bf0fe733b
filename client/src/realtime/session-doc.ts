import type {
  DurableFact,
  JobInfo,
  JobProgress,
  MaskIndexEntry,
  MaskSource,
  MediaInfo,
  Participant,
  PresenceUpdate,
  PromptSet,
  SessionSnapshot,
  StoredMask,
  TrackedObject,
  VolatileFact,
} from '@roto/shared';

/**
 * The browser's copy of one session: built from the join snapshot, then kept current by applying
 * facts in seq order (a fact with `seq ≤` the last applied one is ignored, R13). Mask bytes arrive
 * with `mask:updated` facts or from `masks:fetch`; the snapshot only indexes them.
 *
 * The maps are mutated in place and `revision` rises on every change: a session can hold tens of
 * thousands of masks, and copying maps per fact during a propagation would cost more than drawing.
 */

/** One stored mask as the client knows it; `bytes` is absent until fetched. */
export interface ClientMask {
  objectId: number;
  frame: number;
  version: number;
  present: boolean;
  source: MaskSource;
  stale: boolean;
  bytes?: Uint8Array;
}

/** A running job and when this client first saw it (for its own fps / ETA display). */
export interface ClientJob {
  job: JobInfo;
  progress: JobProgress;
}

/** How the last job ended, shown next to the propagation controls. */
export interface JobOutcome {
  jobId: string;
  kind: 'finished' | 'failed' | 'cancelled';
  message: string;
}

export interface SessionDocState {
  sessionId: string;
  media: MediaInfo;
  seq: number;
  objects: TrackedObject[];
  /** `${objectId}:${frame}` → prompts. */
  prompts: Map<string, PromptSet>;
  /** `${objectId}:${frame}` → mask. */
  masks: Map<string, ClientMask>;
  participants: Map<string, Participant>;
  jobs: Map<string, ClientJob>;
  lastOutcome: JobOutcome | null;
  /** Rises by one on every change. */
  revision: number;
}

/** "1 mask", "23 masks". */
function masks(n: number): string {
  return `${n} mask${n === 1 ? '' : 's'}`;
}

/** The map key of an (object, frame) pair. */
export function key(objectId: number, frame: number): string {
  return `${objectId}:${frame}`;
}

/** A document from a join snapshot. */
export function fromSnapshot(s: SessionSnapshot): SessionDocState {
  const doc: SessionDocState = {
    sessionId: s.sessionId,
    media: s.media,
    seq: s.seq,
    objects: [...s.objects],
    prompts: new Map(s.prompts.map((p) => [key(p.objectId, p.frame), p.prompts])),
    masks: new Map(s.masks.map((m: MaskIndexEntry) => [key(m.objectId, m.frame), { ...m }])),
    participants: new Map(s.participants.map((p) => [p.participantId, p])),
    jobs: new Map(s.jobs.map((j) => [j.job.jobId, { job: j.job, progress: j.progress }])),
    lastOutcome: null,
    revision: 0,
  };
  return doc;
}

/**
 * A rejoin's snapshot over a document already holding mask bytes: keeps the bytes of every mask
 * whose version did not change, so a reconnect does not refetch what is already here.
 */
export function rebaseOnSnapshot(prev: SessionDocState, s: SessionSnapshot): SessionDocState {
  const next = fromSnapshot(s);
  for (const [k, m] of next.masks) {
    const old = prev.masks.get(k);
    if (old?.bytes && old.version === m.version) m.bytes = old.bytes;
  }
  next.revision = prev.revision + 1;
  return next;
}

/**
 * Applies one durable fact; returns false when it is older than the document (R13). Facts of one
 * command share a seq, so a fact with the document's own seq still applies: every fact is
 * idempotent (masks carry versions, prompts and objects carry their whole new state), so seeing
 * one twice (an ack and its broadcast, a catch-up overlapping live events) changes nothing.
 */
export function applyFact(doc: SessionDocState, fact: DurableFact): boolean {
  if (fact.seq < doc.seq) return false;
  switch (fact.type) {
    case 'mask:updated': {
      const k = key(fact.objectId, fact.frame);
      const old = doc.masks.get(k);
      if (old && old.version > fact.version) break;
      doc.masks.set(k, {
        objectId: fact.objectId,
        frame: fact.frame,
        version: fact.version,
        present: fact.present,
        source: fact.source,
        stale: false,
        bytes: fact.mask,
      });
      break;
    }
    case 'masks:removed':
      for (const f of fact.frames) doc.masks.delete(key(fact.objectId, f));
      break;
    case 'masks:stale':
      for (const f of fact.frames) {
        const m = doc.masks.get(key(fact.objectId, f));
        if (m) m.stale = true;
      }
      break;
    case 'object:created':
      if (!doc.objects.some((o) => o.id === fact.object.id)) doc.objects = [...doc.objects, fact.object];
      break;
    case 'object:updated':
      doc.objects = doc.objects.map((o) => (o.id === fact.object.id ? fact.object : o));
      break;
    case 'object:deleted':
      doc.objects = doc.objects.filter((o) => o.id !== fact.objectId);
      for (const [k, m] of doc.masks) if (m.objectId === fact.objectId) doc.masks.delete(k);
      for (const k of [...doc.prompts.keys()]) if (k.startsWith(`${fact.objectId}:`)) doc.prompts.delete(k);
      break;
    case 'prompts:updated': {
      const k = key(fact.objectId, fact.frame);
      if (fact.prompts) doc.prompts.set(k, fact.prompts);
      else doc.prompts.delete(k);
      break;
    }
    case 'job:started':
      if (doc.jobs.has(fact.job.jobId)) break;
      doc.jobs.set(fact.job.jobId, {
        job: fact.job,
        progress: { done: 0, total: fact.total, fps: 0, etaSec: null, counter: 0 },
      });
      break;
    case 'job:finished':
      doc.jobs.delete(fact.jobId);
      doc.lastOutcome = {
        jobId: fact.jobId,
        kind: 'finished',
        message: `Propagation finished: ${masks(fact.done)}.`,
      };
      break;
    case 'job:failed':
      doc.jobs.delete(fact.jobId);
      doc.lastOutcome = {
        jobId: fact.jobId,
        kind: 'failed',
        message: `Propagation failed (${fact.error.code}): ${fact.error.message}`,
      };
      break;
    case 'job:cancelled':
      doc.jobs.delete(fact.jobId);
      doc.lastOutcome = {
        jobId: fact.jobId,
        kind: 'cancelled',
        message: `Propagation cancelled after ${masks(fact.done)}: ${fact.reason}.`,
      };
      break;
    default: {
      const never: never = fact;
      void never;
    }
  }
  doc.seq = Math.max(doc.seq, fact.seq);
  doc.revision++;
  return true;
}

/** Applies a volatile fact (progress, presence, participants). */
export function applyVolatile(doc: SessionDocState, fact: VolatileFact): void {
  switch (fact.type) {
    case 'job:progressed': {
      const j = doc.jobs.get(fact.jobId);
      // Progress reports may overtake each other; the counter tells which is newer.
      if (j && fact.progress.counter >= j.progress.counter) j.progress = fact.progress;
      break;
    }
    case 'participant:joined':
      doc.participants.set(fact.participant.participantId, fact.participant);
      break;
    case 'participant:left':
      doc.participants.delete(fact.participantId);
      break;
    case 'presence:updated': {
      const p = doc.participants.get(fact.participantId);
      if (p)
        doc.participants.set(fact.participantId, {
          ...p,
          presence: mergePresence(p.presence, fact.presence),
        });
      break;
    }
  }
  doc.revision++;
}

function mergePresence(a: PresenceUpdate, b: PresenceUpdate): PresenceUpdate {
  return { ...a, ...Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)) };
}

/** Stores fetched mask bytes when they are still the version the document indexes. */
export function applyFetched(doc: SessionDocState, masks: readonly StoredMask[]): void {
  for (const m of masks) {
    const entry = doc.masks.get(key(m.objectId, m.frame));
    if (entry && entry.version === m.version) entry.bytes = m.mask;
  }
  doc.revision++;
}
