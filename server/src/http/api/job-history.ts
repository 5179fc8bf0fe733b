/**
 * Job status for REST: a running job is read from the live document (its progress is kept fresh
 * there); an ended one from the session's op log, where its `job:started` and end facts are
 * durable. The log is read incrementally and what it says about jobs is cached per session, so
 * polling a job reads only the records appended since the last poll.
 */
import type { DurableFact, JobStatus } from '@roto/shared';
import { decodeFactsRecord, FACTS_RECORD_TYPE } from '../../sessions/records.ts';
import type { SessionRoom } from '../../sessions/room.ts';
import type { SessionStore } from '../../storage/index.ts';

/** Sessions whose job history is kept in memory (least recently used beyond it is dropped). */
const CACHED_SESSIONS = 64;
/** How often a caller waiting for a job looks whether it has ended. */
const WAIT_POLL_MS = 50;

type Ended = Pick<JobStatus, 'status' | 'reason' | 'error'> & { done: number };

interface JobLine {
  started: Extract<DurableFact, { type: 'job:started' }>;
  ended?: Ended;
}

interface SessionJobs {
  /** Every record up to this seq has been read. */
  upTo: number;
  jobs: Map<string, JobLine>;
}

export class JobHistory {
  private readonly sessions = new Map<string, SessionJobs>();

  constructor(private readonly store: SessionStore) {}

  /** The status of `jobId` in `room`, or null when the session never had it. */
  async status(room: SessionRoom, jobId: string): Promise<JobStatus | null> {
    const running = room.state.jobs.get(jobId);
    if (running) return { jobId, status: 'running', job: running.job, progress: { ...running.progress } };
    const line = (await this.read(room)).get(jobId);
    return line ? toStatus(room, line) : null;
  }

  /** Every job of the session: running ones first, then ended ones, most recent first. */
  async list(room: SessionRoom): Promise<JobStatus[]> {
    const lines = [...(await this.read(room)).values()].reverse();
    const running = room.state
      .runningJobs()
      .map((r): JobStatus => ({ jobId: r.job.jobId, status: 'running', job: r.job, progress: r.progress }));
    const ids = new Set(running.map((r) => r.jobId));
    return [...running, ...lines.filter((l) => !ids.has(l.started.job.jobId)).map((l) => toStatus(room, l))];
  }

  /** Resolves with the job's final status once it has ended (its end fact is durable). */
  async waitForEnd(room: SessionRoom, jobId: string, signal?: AbortSignal): Promise<JobStatus | null> {
    while (room.state.jobs.has(jobId) && !signal?.aborted) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
    return this.status(room, jobId);
  }

  private async read(room: SessionRoom): Promise<Map<string, JobLine>> {
    let entry = this.sessions.get(room.id);
    if (entry) this.sessions.delete(room.id);
    entry ??= { upTo: 0, jobs: new Map() };
    this.sessions.set(room.id, entry);
    if (this.sessions.size > CACHED_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    if (entry.upTo >= room.state.seq) return entry.jobs;
    const read = await this.store.readSince(room.id, entry.upTo);
    // Compacted: the jobs before the snapshot are forgotten; read on from the snapshot.
    const records =
      read.status === 'ok'
        ? read.records
        : read.status === 'compacted'
          ? await this.store
              .readSince(room.id, read.baseSeq)
              .then((r) => (r.status === 'ok' ? r.records : []))
          : [];
    for (const record of records) {
      entry.upTo = Math.max(entry.upTo, record.seq);
      if (record.type !== FACTS_RECORD_TYPE) continue;
      for (const fact of decodeFactsRecord(record).facts)
        note(entry.jobs, { ...fact, seq: record.seq } as DurableFact);
    }
    return entry.jobs;
  }
}

function note(jobs: Map<string, JobLine>, fact: DurableFact): void {
  switch (fact.type) {
    case 'job:started':
      jobs.set(fact.job.jobId, { started: fact });
      return;
    case 'job:finished':
      end(jobs, fact.jobId, { status: 'finished', done: fact.done });
      return;
    case 'job:cancelled':
      end(jobs, fact.jobId, { status: 'cancelled', done: fact.done, reason: fact.reason });
      return;
    case 'job:failed':
      end(jobs, fact.jobId, { status: 'failed', done: 0, error: fact.error });
      return;
    default:
      return;
  }
}

function end(jobs: Map<string, JobLine>, jobId: string, ended: Ended): void {
  const line = jobs.get(jobId);
  if (line) line.ended = ended;
}

function toStatus(room: SessionRoom, line: JobLine): JobStatus {
  const { job, total } = line.started;
  const live = room.state.jobs.get(job.jobId);
  if (live || !line.ended) {
    // Started in the log but not ended there yet: the end fact is being stored.
    const progress = live?.progress ?? { done: 0, total, fps: 0, etaSec: null, counter: 0 };
    return { jobId: job.jobId, status: 'running', job, progress };
  }
  const { status, done, reason, error } = line.ended;
  const doneSteps = status === 'failed' ? 0 : done;
  return {
    jobId: job.jobId,
    status,
    job,
    progress: { done: doneSteps, total, fps: 0, etaSec: status === 'finished' ? 0 : null, counter: 0 },
    ...(reason !== undefined ? { reason } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}
