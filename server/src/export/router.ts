/**
 * REST routes for exports, under the sessions API so its access guard covers reads:
 *
 * - `GET  /api/v1/export-formats` — the formats, with the session kinds each applies to
 * - `POST /api/v1/sessions/:id/exports` `{ format, objectIds? }` — starts a job (202, Location)
 * - `GET  /api/v1/sessions/:id/exports` — the session's jobs
 * - `GET  /api/v1/sessions/:id/exports/:jobId` — one job (state, progress, file name)
 * - `GET  /api/v1/sessions/:id/exports/:jobId/file` — the finished file, as an attachment
 * - `DELETE /api/v1/sessions/:id/exports/:jobId` — cancels a running job, or removes an ended one
 *
 * Handlers are thin: parsing here, the work in {@link ExportJobs}.
 */
import { createReadStream } from 'node:fs';
import { Router } from '@koa/router';
import { RotoError } from '@roto/shared';
import { z } from 'zod';
import type { AppContext, AppState } from '../http/context.ts';
import { parseSessionId, SESSIONS_PATH } from '../ingest/session-views.ts';
import type { ExportJobs, ExportJobView } from './export-jobs.ts';
import { EXPORT_FORMATS } from './registry.ts';

/** Body of `POST …/exports`. */
export const StartExportBodySchema = z.strictObject({
  format: z.string().min(1).max(64),
  objectIds: z.array(z.number().int().positive()).min(1).max(256).optional(),
});

/** What the exports router needs. */
export interface ExportsRouterDeps {
  jobs: ExportJobs;
  /**
   * Checks that the caller may start an export of the session (reads are checked by the sessions
   * API's guard; a POST is not, and an export is a read of everything in the session).
   */
  authorizeStart?: (ctx: AppContext, sessionId: string) => Promise<void>;
}

function jobOf(jobs: ExportJobs, sessionId: string, jobId: string): ExportJobView {
  const view = jobs.get(jobId);
  // A job id from another session is as unknown here as one that never existed.
  if (view.sessionId !== sessionId)
    throw new RotoError('NOT_FOUND', `There is no export ${jobId}`, { jobId });
  return view;
}

/** `filename*` (RFC 8187) for any name, plus a plain ASCII fallback. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Builds the exports router. */
export function exportsRouter(deps: ExportsRouterDeps): Router<AppState> {
  const { jobs } = deps;
  const router = new Router<AppState>();
  const base = `${SESSIONS_PATH}/:id/exports`;

  router.get('/api/v1/export-formats', (ctx) => {
    ctx.body = {
      formats: EXPORT_FORMATS.map((f) => ({
        id: f.id,
        label: f.label,
        extension: f.extension,
        mime: f.mime,
        kinds: f.kinds,
      })),
    };
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
    ctx.status = 202;
    ctx.set('Location', `${SESSIONS_PATH}/${sessionId}/exports/${view.jobId}`);
    ctx.body = view;
  });

  router.get(base, (ctx) => {
    ctx.body = { exports: jobs.list(parseSessionId(ctx.params.id ?? '')) };
  });

  router.get(`${base}/:jobId`, (ctx) => {
    ctx.body = jobOf(jobs, parseSessionId(ctx.params.id ?? ''), ctx.params.jobId ?? '');
  });

  router.get(`${base}/:jobId/file`, (ctx) => {
    const view = jobOf(jobs, parseSessionId(ctx.params.id ?? ''), ctx.params.jobId ?? '');
    const file = jobs.file(view.jobId);
    ctx.type = file.mime;
    ctx.length = file.bytes;
    ctx.set('Content-Disposition', attachment(file.fileName));
    ctx.set('Cache-Control', 'private, no-cache');
    ctx.body = createReadStream(file.path);
  });

  router.delete(`${base}/:jobId`, async (ctx) => {
    const view = jobOf(jobs, parseSessionId(ctx.params.id ?? ''), ctx.params.jobId ?? '');
    const s = view.status.state;
    if (s === 'queued' || s === 'running') jobs.cancel(view.jobId, 'cancelled by request');
    else await jobs.remove(view.jobId);
    ctx.status = 204;
  });

  return router;
}
