/**
 * Export jobs: a request names a session and a format; the session's masks are snapshotted at
 * once, the export waits its turn (a few run at a time, since each keeps a core busy with ffmpeg),
 * writes into the session's blob area under `exports/`, and can be followed, cancelled and
 * downloaded. A job's state is a discriminated union with named transitions.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { type ErrorCode, isRotoError, RotoError } from '@roto/shared';
import type { BlobArea } from '../storage/blob-area.ts';
import { type ExportFormat, type ExportFormatId, exportFormat } from './registry.ts';
import type { ExportProgress, ExportResult, ExportSessionKind, ExportSource } from './types.ts';

/** Where a job is. */
export type ExportJobState =
  | { state: 'queued' }
  | { state: 'running'; progress: ExportProgress }
  | { state: 'finished'; file: Omit<ExportResult, 'path'> }
  | { state: 'failed'; error: { code: ErrorCode; message: string } }
  | { state: 'cancelled'; reason: string };

/** What a client sees of a job. */
export interface ExportJobView {
  jobId: string;
  sessionId: string;
  format: ExportFormatId;
  objectIds?: number[];
  createdAt: string;
  status: ExportJobState;
}

/** A session as exports need it: its kind and a source snapshotted now. */
export interface ExportableSession {
  kind: ExportSessionKind;
  source: ExportSource;
}

/** What the service is built from. */
export interface ExportJobsDeps {
  blobs: BlobArea;
  /** Loads a session and snapshots it (NOT_FOUND / CONFLICT from the session layer pass through). */
  openSession(sessionId: string): Promise<ExportableSession>;
  /** Exports running at once (default 1: each keeps ffmpeg and a core busy). */
  maxRunning?: number;
  /** Jobs waiting at most; past that a request is BUSY (default 16). */
  maxQueued?: number;
  /** Ended jobs kept (with their files) before the oldest are removed (default 100). */
  keepEnded?: number;
  /** Called on every state change and progress report (e.g. to publish `export:progressed`). */
  onChange?: (job: ExportJobView) => void;
}

interface Job {
  view: ExportJobView;
  format: ExportFormat;
  source: ExportSource;
  outPath: string;
  controller: AbortController;
  done: Promise<void>;
}

/** How often progress reaches `onChange` at most (a 10 000-frame export would otherwise send 10 000). */
const PROGRESS_INTERVAL_MS = 250;

/** Runs, tracks and serves export jobs. */
export class ExportJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;

  constructor(private readonly deps: ExportJobsDeps) {}

  /**
   * Starts an export of `sessionId` as `formatId`. NOT_FOUND for an unknown format or object,
   * INVALID_INPUT when the format does not apply to the session's kind, BUSY when the queue is full.
   */
  async start(
    sessionId: string,
    formatId: string,
    options: { objectIds?: number[] } = {},
  ): Promise<ExportJobView> {
    const format = exportFormat(formatId);
    const queued = [...this.jobs.values()].filter((j) => j.view.status.state === 'queued').length;
    if (queued >= (this.deps.maxQueued ?? 16)) {
      throw new RotoError('BUSY', 'Too many exports are waiting; try again when one has finished');
    }
    const session = await this.deps.openSession(sessionId);
    if (!(format.kinds as readonly ExportSessionKind[]).includes(session.kind)) {
      throw new RotoError(
        'INVALID_INPUT',
        `The ${format.label} export is for ${format.kinds.join(' or ')} sessions, not ${session.kind} sessions`,
        {
          format: format.id,
          kind: session.kind,
        },
      );
    }
    const known = new Set(session.source.objects.map((o) => o.id));
    const unknown = options.objectIds?.find((id) => !known.has(id));
    if (unknown !== undefined)
      throw new RotoError('NOT_FOUND', `There is no object ${unknown} in this session`, {
        objectId: unknown,
      });
    const jobId = randomUUID();
    const outPath = await this.deps.blobs.prepare(sessionId, `exports/${jobId}.${format.extension}`);
    const view: ExportJobView = {
      jobId,
      sessionId,
      format: format.id as ExportFormatId,
      createdAt: new Date().toISOString(),
      status: { state: 'queued' },
    };
    if (options.objectIds) view.objectIds = [...options.objectIds];
    const job: Job = {
      view,
      format,
      source: session.source,
      outPath,
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    this.jobs.set(jobId, job);
    job.done = this.run(job);
    this.changed(job);
    return structuredClone(view);
  }

  /** A job's current view; NOT_FOUND when there is no such job. */
  get(jobId: string): ExportJobView {
    return structuredClone(this.job(jobId).view);
  }

  /** The jobs of one session, oldest first. */
  list(sessionId: string): ExportJobView[] {
    return [...this.jobs.values()]
      .filter((j) => j.view.sessionId === sessionId)
      .map((j) => structuredClone(j.view));
  }

  /** Cancels a queued or running job (its partial file is removed); a finished job is left as it is. */
  cancel(jobId: string, reason = 'cancelled'): ExportJobView {
    const job = this.job(jobId);
    job.controller.abort(reason);
    return structuredClone(job.view);
  }

  /** The finished file of a job; CONFLICT while it is not finished. */
  file(jobId: string): ExportResult {
    const job = this.job(jobId);
    const s = job.view.status;
    if (s.state !== 'finished')
      throw new RotoError('CONFLICT', `Export ${jobId} is ${s.state}, not finished`, {
        jobId,
        state: s.state,
      });
    return { path: job.outPath, ...s.file };
  }

  /** Resolves once the job has ended, whatever the outcome. */
  async settled(jobId: string): Promise<ExportJobView> {
    const job = this.job(jobId);
    await job.done;
    return structuredClone(job.view);
  }

  /** Forgets a job and removes its file (e.g. when its session is deleted or the download expired). */
  async remove(jobId: string): Promise<void> {
    const job = this.job(jobId);
    job.controller.abort('removed');
    await job.done;
    this.jobs.delete(jobId);
    await rm(job.outPath, { force: true });
  }

  /** Cancels every job and waits for them to end (at shutdown). */
  async close(): Promise<void> {
    for (const job of this.jobs.values()) job.controller.abort('the server is shutting down');
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  private job(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new RotoError('NOT_FOUND', `There is no export ${jobId}`, { jobId });
    return job;
  }

  private changed(job: Job): void {
    try {
      this.deps.onChange?.(structuredClone(job.view));
    } catch {
      // A listener's failure must not break the export.
    }
  }

  /** Waits for a free run slot; a job cancelled while it waits leaves the queue at once. */
  private slot(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.running < (this.deps.maxRunning ?? 1)) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      // `release` hands its slot straight to the next waiter, so `running` stays as it is.
      const waiter = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiting.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private async run(job: Job): Promise<void> {
    const signal = job.controller.signal;
    try {
      await this.slot(signal);
    } catch {
      job.view.status = { state: 'cancelled', reason: String(signal.reason ?? 'cancelled') };
      this.changed(job);
      return;
    }
    let last = 0;
    job.view.status = { state: 'running', progress: { done: 0, total: job.source.frameCount } };
    this.changed(job);
    try {
      const result = await job.format.run(job.source, job.outPath, {
        signal,
        ...(job.view.objectIds ? { objectIds: job.view.objectIds } : {}),
        onProgress: (progress) => {
          job.view.status = { state: 'running', progress };
          const now = Date.now();
          if (now - last >= PROGRESS_INTERVAL_MS || progress.done === progress.total) {
            last = now;
            this.changed(job);
          }
        },
      });
      const { path: _path, ...file } = result;
      job.view.status = { state: 'finished', file };
    } catch (err) {
      job.view.status = signal.aborted
        ? { state: 'cancelled', reason: String(signal.reason ?? 'cancelled') }
        : {
            state: 'failed',
            error: isRotoError(err)
              ? { code: err.code, message: err.message }
              : { code: 'INTERNAL', message: 'The export failed' },
          };
    } finally {
      this.release();
    }
    this.changed(job);
    await this.prune();
  }

  /** Removes the oldest ended jobs and their files past `keepEnded`. */
  private async prune(): Promise<void> {
    const ended = [...this.jobs.values()].filter((j) => !['queued', 'running'].includes(j.view.status.state));
    const excess = ended.length - (this.deps.keepEnded ?? 100);
    for (const job of ended.slice(0, Math.max(0, excess))) {
      this.jobs.delete(job.view.jobId);
      await rm(job.outPath, { force: true });
    }
  }
}
