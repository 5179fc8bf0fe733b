/**
 * What a session's room hears about its exports: each job transition as an `export:*` notice
 * (the contract's shapes), and the rate and time left of a running job.
 */
import { type ExportJob, type ExportNoticeFact, type ExportProgress, exportFilePath } from '@roto/shared';

/** How often a job's progress reaches the room at most (a 10 000-frame export would otherwise send 10 000). */
export const PROGRESS_INTERVAL_MS = 250;

/** Units per second and seconds left, from when the job started running. */
export function progressRate(done: number, total: number, elapsedMs: number): Required<ExportProgress> {
  const fps = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const etaSec = fps > 0 ? (total - done) / fps : 0;
  return { done, total, fps: Math.round(fps * 10) / 10, etaSec: Math.round(etaSec * 10) / 10 };
}

/**
 * The notice of a job's current state, or null for a state that has none (`running` is told by
 * {@link progressNotice}, with its counter).
 */
export function stateNotice(job: ExportJob): ExportNoticeFact | null {
  const s = job.status;
  switch (s.state) {
    case 'queued':
      return { type: 'export:started', job };
    case 'running':
      return null;
    case 'finished':
      return {
        type: 'export:finished',
        job,
        url: exportFilePath(job.sessionId, job.jobId),
        bytes: s.file.bytes,
        fileName: s.file.fileName,
      };
    case 'failed':
      return { type: 'export:failed', job, error: s.error };
    case 'cancelled':
      return { type: 'export:cancelled', job, reason: s.reason };
  }
}

/** The `export:progressed` notice of a running job. */
export function progressNotice(
  job: ExportJob,
  progress: Required<ExportProgress>,
  counter: number,
): ExportNoticeFact {
  return { type: 'export:progressed', jobId: job.jobId, format: job.format, ...progress, counter };
}
