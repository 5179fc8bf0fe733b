/**
 * Export jobs: a request names a session and a format; the session's masks are snapshotted at
 * once, the export waits its turn (a few run at a time, since each keeps a core busy with ffmpeg),
 * writes into the session's blob area under `exports/`, and can be followed, cancelled and
 * downloaded. A job's state is a discriminated union with named transitions; every transition is
 * told to the session's room as an `export:*` notice. Finished files are a cache: the same
 * request on an unchanged session gets the existing job back instead of a new one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  type ExportFormatId,
  type ExportJob,
  type ExportJobStatus,
  type ExportNoticeFact,
  exportFilePath,
  isRotoError,
  RotoError,
  type StartExportResponse,
} from '@roto/shared';
import type { BlobArea } from '../storage/blob-area.ts';
import { PROGRESS_INTERVAL_MS, progressNotice, progressRate, stateNotice } from './job-notices.ts';
import { type ExportFormat, exportFormat } from './registry.ts';
import type { ExportResult, ExportSessionKind, ExportSource } from './types.ts';

/** Where a job is (the contract's union). */
export type ExportJobState = ExportJobStatus;

/** What a client sees of a job (the contract's `ExportJob`). */
export type ExportJobView = ExportJob;

/** A session as exports need it: its kind, a source snapshotted now, and what the cache keys on. */
export interface ExportableSession {
  kind: ExportSessionKind;
  source: ExportSource;
  /** Per object, a content hash of its name, colour and mask versions (see `snapshotSession`). */
  objectFingerprints: ReadonlyMap<number, string>;
  /** Objects with at least one present mask. */
  masked: ReadonlySet<number>;
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
  /** Called on every state change and (throttled) progress report. */
  onChange?: (job: ExportJobView) => void;
  /** Where the `export:*` notices go (the realtime layer sends them to the session's room). */
  onNotice?: (sessionId: string, notice: ExportNoticeFact) => void;
}

interface Job {
  view: ExportJobView;
  format: ExportFormat;
  source: ExportSource;
  outPath: string;
  controller: AbortController;
  done: Promise<void>;
  /** Rises with every `export:progressed` notice of the job. */
  counter: number;
}

const ACTIVE = new Set(['queued', 'running']);

/**
 * The cache key of an export: the format, the selected objects in order, and each one's
 * fingerprint. Edits to objects outside the selection leave it unchanged.
 */
export function exportCacheKey(
  formatId: string,
  objectIds: readonly number[],
  fingerprints: ReadonlyMap<number, string>,
): string {
  const parts = objectIds.map((id) => `${id}=${fingerprints.get(id) ?? ''}`);
  return createHash('sha256')
    .update(`${formatId}|${parts.join(',')}`)
    .digest('base64url')
    .slice(0, 32);
}

/** Runs, tracks and serves export jobs. */
export class ExportJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Array<() => void> = [];
  /** Sessions whose leftover files (from a process that died) have been removed, or are being. */
  private readonly swept = new Map<string, Promise<void>>();
  private running = 0;
  private closed = false;

  constructor(private readonly deps: ExportJobsDeps) {}

  /**
   * Starts an export of `sessionId` as `formatId`, or returns the job that already made (or is
   * making) the same export of the unchanged session (`reused: true`). NOT_FOUND for an unknown
   * format or object, INVALID_INPUT when the format does not apply to the session's kind or an
   * object is selected twice, CONFLICT when there is no mask to export, BUSY when the queue is full.
   */
  async start(
    sessionId: string,
    formatId: string,
    options: { objectIds?: number[] } = {},
  ): Promise<StartExportResponse> {
    const format = exportFormat(formatId);
    if (this.closed) throw new RotoError('BUSY', 'The server is shutting down; export again once it is back');
    const session = await this.deps.openSession(sessionId);
    if (!(format.kinds as readonly ExportSessionKind[]).includes(session.kind)) {
      throw new RotoError(
        'INVALID_INPUT',
        `The ${format.label} export is for ${format.kinds.join(' or ')} sessions, not ${session.kind} sessions`,
        { format: format.id, kind: session.kind },
      );
    }
    const selected = checkSelection(session, options.objectIds);
    const cacheKey = exportCacheKey(format.id, selected, session.objectFingerprints);
    await this.sweep(sessionId);
    const existing = [...this.jobs.values()].find(
      (j) =>
        j.view.sessionId === sessionId &&
        j.view.cacheKey === cacheKey &&
        (ACTIVE.has(j.view.status.state) || j.view.status.state === 'finished'),
    );
    if (existing) return { ...structuredClone(existing.view), reused: true };
    const queued = [...this.jobs.values()].filter((j) => j.view.status.state === 'queued').length;
    if (queued >= (this.deps.maxQueued ?? 16)) {
      throw new RotoError('BUSY', 'Too many exports are waiting; try again when one has finished');
    }
    const jobId = randomUUID();
    const outPath = await this.deps.blobs.prepare(sessionId, `exports/${jobId}.${format.extension}`);
    const view: ExportJobView = {
      jobId,
      sessionId,
      format: format.id as ExportFormatId,
      createdAt: new Date().toISOString(),
      cacheKey,
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
      counter: 0,
    };
    this.jobs.set(jobId, job);
    this.changed(job);
    job.done = this.run(job);
    return { ...structuredClone(view), reused: false };
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

  /**
   * The finished file of a job; CONFLICT while it is queued or running, and for a failed or
   * cancelled one with the reason (there is no file, and none will come).
   */
  file(jobId: string): ExportResult {
    const job = this.job(jobId);
    const s = job.view.status;
    if (s.state === 'finished') {
      const { url: _url, ...file } = s.file;
      return { path: job.outPath, ...file };
    }
    const why =
      s.state === 'failed'
        ? `Export ${jobId} failed, so it has no file: ${s.error.message}`
        : s.state === 'cancelled'
          ? `Export ${jobId} was cancelled (${s.reason}), so it has no file`
          : `Export ${jobId} is ${s.state}; its file is not ready yet`;
    throw new RotoError('CONFLICT', why, {
      jobId,
      state: s.state,
      ...(s.state === 'failed' ? { error: s.error } : {}),
    });
  }

  /** Resolves once the job has ended, whatever the outcome. */
  async settled(jobId: string): Promise<ExportJobView> {
    const job = this.job(jobId);
    await job.done;
    return structuredClone(job.view);
  }

  /** Forgets a job and removes its file (e.g. when the download is no longer wanted). */
  async remove(jobId: string): Promise<void> {
    const job = this.job(jobId);
    job.controller.abort('removed');
    await job.done;
    this.jobs.delete(jobId);
    await rm(job.outPath, { force: true });
  }

  /** Cancels and forgets every job of a session (it was deleted: its files go with it). */
  async forgetSession(sessionId: string): Promise<void> {
    const jobs = [...this.jobs.values()].filter((j) => j.view.sessionId === sessionId);
    for (const job of jobs) job.controller.abort('the session was deleted');
    await Promise.all(jobs.map((j) => j.done));
    for (const job of jobs) {
      this.jobs.delete(job.view.jobId);
      await rm(job.outPath, { force: true });
    }
    this.swept.delete(sessionId);
  }

  /**
   * At shutdown: refuses new exports, cancels every job, waits for them to end and removes every
   * file (jobs live in memory, so a file would have nobody to serve it after a restart).
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.jobs.values()) job.controller.abort('the server is shutting down');
    await Promise.all([...this.jobs.values()].map((j) => j.done));
    await Promise.all([...this.jobs.values()].map((j) => rm(j.outPath, { force: true })));
  }

  private job(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new RotoError('NOT_FOUND', `There is no export ${jobId}`, { jobId });
    return job;
  }

  /**
   * Removes what a previous process left in a session's `exports/` folder (a crash skips
   * `close`), once per session and before this process writes any job there.
   */
  private sweep(sessionId: string): Promise<void> {
    let done = this.swept.get(sessionId);
    if (!done) {
      done = this.deps.blobs.remove(sessionId, 'exports').catch(() => undefined);
      this.swept.set(sessionId, done);
    }
    return done;
  }

  private changed(job: Job): void {
    const view = structuredClone(job.view);
    try {
      this.deps.onChange?.(view);
      const notice = stateNotice(view);
      if (notice) this.deps.onNotice?.(view.sessionId, notice);
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
    const startedAt = performance.now();
    job.view.status = { state: 'running', progress: { done: 0, total: job.source.frameCount } };
    this.changed(job);
    try {
      const result = await job.format.run(job.source, job.outPath, {
        signal,
        ...(job.view.objectIds ? { objectIds: job.view.objectIds } : {}),
        onProgress: ({ done, total }) => {
          const progress = progressRate(done, total, performance.now() - startedAt);
          job.view.status = { state: 'running', progress };
          const now = Date.now();
          if (now - last >= PROGRESS_INTERVAL_MS || done === total) {
            last = now;
            this.changed(job);
            this.notify(job, progressNotice(job.view, progress, ++job.counter));
          }
        },
      });
      const { path: _path, ...file } = result;
      job.view.status = {
        state: 'finished',
        file: { ...file, url: exportFilePath(job.view.sessionId, job.view.jobId) },
      };
    } catch (err) {
      // The exporters remove their temporary files; this covers a target renamed just before the failure.
      await rm(job.outPath, { force: true });
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

  private notify(job: Job, notice: ExportNoticeFact): void {
    try {
      this.deps.onNotice?.(job.view.sessionId, notice);
    } catch {
      // As in `changed`.
    }
  }

  /** Removes the oldest ended jobs and their files past `keepEnded`. */
  private async prune(): Promise<void> {
    const ended = [...this.jobs.values()].filter((j) => !ACTIVE.has(j.view.status.state));
    const excess = ended.length - (this.deps.keepEnded ?? 100);
    for (const job of ended.slice(0, Math.max(0, excess))) {
      this.jobs.delete(job.view.jobId);
      await rm(job.outPath, { force: true });
    }
  }
}

/**
 * The objects an export covers (the selection in its order, default all) after checking it:
 * NOT_FOUND for an unknown object, INVALID_INPUT for one selected twice, and CONFLICT when none
 * of them has a mask yet (before anything is queued: an empty export helps nobody).
 */
function checkSelection(session: ExportableSession, objectIds: readonly number[] | undefined): number[] {
  const known = new Set(session.source.objects.map((o) => o.id));
  const unknown = objectIds?.find((id) => !known.has(id));
  if (unknown !== undefined)
    throw new RotoError('NOT_FOUND', `There is no object ${unknown} in this session`, { objectId: unknown });
  const twice = objectIds?.find((id, i) => objectIds.indexOf(id) !== i);
  if (twice !== undefined)
    throw new RotoError('INVALID_INPUT', `Object ${twice} is selected twice`, { objectId: twice });
  const selected = objectIds ? [...objectIds] : session.source.objects.map((o) => o.id);
  if (!selected.some((id) => session.masked.has(id))) {
    throw new RotoError(
      'CONFLICT',
      objectIds
        ? 'The selected objects have no masks yet: click them on a frame (or propagate) before exporting'
        : 'This session has no masks yet: click an object on a frame (or propagate) before exporting',
      { reason: 'no-masks', ...(objectIds ? { objectIds } : {}) },
    );
  }
  return selected;
}
