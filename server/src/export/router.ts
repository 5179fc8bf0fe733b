/**
 * REST routes for exports, under the sessions API so its access guard covers reads:
 *
 * - `GET  /api/v1/export-formats` — the formats, with the session kinds each applies to
 * - `POST /api/v1/sessions/:id/exports` `{ format, objectIds? }` — starts a job (202, Location),
 *   or answers the existing job of the same export of the unchanged session (200, `reused`)
 * - `GET  /api/v1/sessions/:id/exports` — the session's jobs
 * - `GET  /api/v1/sessions/:id/exports/:jobId` — one job (state, progress, file)
 * - `GET  /api/v1/sessions/:id/exports/:jobId/file` — the finished file: attachment, ETag, Range
 * - `DELETE /api/v1/sessions/:id/exports/:jobId` — cancels a running job, or removes an ended one
 *
 * Handlers are thin: parsing here, the work in {@link ExportJobs}.
 */
import { Router } from '@koa/router';
import {
  type ExportFormatList,
  type ExportJobList,
  exportsPath,
  RotoError,
  StartExportBodySchema,
} from '@roto/shared';
import type { AppContext, AppState } from '../http/context.ts';
import { parseSessionId, SESSIONS_PATH } from '../ingest/session-views.ts';
import type { ExportJobs, ExportJobView } from './export-jobs.ts';
import { sendFile } from './file-response.ts';
import { EXPORT_FORMATS } from './registry.ts';

export { StartExportBodySchema } from '@roto/shared';

/** What the exports router needs. */
export interface ExportsRouterDeps {
  jobs: ExportJobs;
  /**
   * Checks that the caller may start, cancel or remove an export of the session (editor or
   * owner): reads are checked by the sessions API's guard, these are not.
   */
  authorizeStart?: (ctx: AppContext, sessionId: string) => Promise<void>;
  /** Throws NOT_FOUND for a session that does not exist (so listing an unknown one is not an empty list). */
  requireSession?: (sessionId: string) => Promise<void>;
}

function jobOf(jobs: ExportJobs, sessionId: string, jobId: string): ExportJobView {
  const view = jobs.get(jobId);
  // A job id from another session is as unknown here as one that never existed.
  if (view.sessionId !== sessionId)
    throw new RotoError('NOT_FOUND', `There is no export ${jobId}`, { jobId });
  return view;
}

/** Builds the exports router. */
export function exportsRouter(deps: ExportsRouterDeps): Router<AppState> {
  const { jobs } = deps;
  const router = new Router<AppState>();
  const base = `${SESSIONS_PATH}/:id/exports`;

  router.get('/api/v1/export-formats', (ctx) => {
    const body: ExportFormatList = {
      formats: EXPORT_FORMATS.map((f) => ({
        id: f.id,
        label: f.label,
        extension: f.extension,
        mime: f.mime,
        kinds: [...f.kinds],
      })),
    };
    ctx.body = body;
  });

  router.post(base, async (ctx) => {
    const sessionId = parseSessionId(ctx.params.id ?? '');
    const parsed = StartExportBodySchema.safeParse(ctx.request.body);
    if (!parsed.success) {
      throw new RotoError('INVALID_INPUT', 'Send { "format": "<format id>", "objectIds"?: [1, 2] }', {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    await deps.authorizeStart?.(ctx, sessionId);
    const view = await jobs.start(
      sessionId,
      parsed.data.format,
      parsed.data.objectIds ? { objectIds: parsed.data.objectIds } : {},
    );
    ctx.status = view.reused ? 200 : 202;
    ctx.set('Location', `${exportsPath(sessionId)}/${view.jobId}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = view;
  });

  router.get(base, async (ctx) => {
    const sessionId = parseSessionId(ctx.params.id ?? '');
    const exports = jobs.list(sessionId);
    if (exports.length === 0) await deps.requireSession?.(sessionId);
    const body: ExportJobList = { exports };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  });

  router.get(`${base}/:jobId`, (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = jobOf(jobs, parseSessionId(ctx.params.id ?? ''), ctx.params.jobId ?? '');
  });

  router.get(`${base}/:jobId/file`, (ctx) => {
    const view = jobOf(jobs, parseSessionId(ctx.params.id ?? ''), ctx.params.jobId ?? '');
    const file = jobs.file(view.jobId);
    // The job's file never changes once written (a changed session makes a new job): its id names the content.
    sendFile(ctx, { ...file, etag: `"${view.jobId}"` });
  });

  router.delete(`${base}/:jobId`, async (ctx) => {
    const sessionId = parseSessionId(ctx.params.id ?? '');
    const view = jobOf(jobs, sessionId, ctx.params.jobId ?? '');
    await deps.authorizeStart?.(ctx, sessionId);
    const s = view.status.state;
    if (s === 'queued' || s === 'running') jobs.cancel(view.jobId, 'cancelled by request');
    else await jobs.remove(view.jobId);
    ctx.status = 204;
  });

  return router;
}
