/**
 * Exports as the running server offers them: the job service over the app's live sessions, its
 * REST router with access checks (starting, cancelling or removing an export takes an editor or
 * the owner; reads take any valid role, checked by the sessions API's guard), and every job
 * transition sent to the session's Socket.IO room as an `export:*` notice. `createApp` builds it;
 * closing it cancels running exports and removes their files.
 */
import type { Router } from '@koa/router';
import { type ExportNoticeFact, RotoError } from '@roto/shared';
import type { Server } from 'socket.io';
import { bearerToken, type ResolveRole } from '../http/api/caller.ts';
import type { AppContext, AppState } from '../http/context.ts';
import { sessionNotFound } from '../ingest/session-meta.ts';
import type { SessionManager } from '../sessions/manager.ts';
import type { BlobArea } from '../storage/blob-area.ts';
import { ExportJobs } from './export-jobs.ts';
import { exportsRouter } from './router.ts';
import { sessionOpener } from './session-source.ts';

/** What the exports of a running server are built from. */
export interface ExportsServiceDeps {
  blobs: BlobArea;
  /** The live sessions (the realtime layer is attached after the routers, hence a getter). */
  sessions: () => SessionManager;
  /** The same role decision as a realtime join. */
  resolveRole: ResolveRole;
  /** Where notices go: the Socket.IO server once attached, and a session's broadcast room. */
  io: () => Server | undefined;
  roomOf: (sessionId: string) => string;
  /** Exports running at once (default 1). */
  maxRunning?: number;
}

/** The built exports: the jobs, their router and the shutdown step. */
export interface ExportsService {
  jobs: ExportJobs;
  router: Router<AppState>;
  /** Cancels running exports, removes every export file and waits for ffmpeg to exit. */
  close(): Promise<void>;
}

/** Loads a session's room; NOT_FOUND names the session when there is none. */
async function loadSession(sessions: SessionManager, sessionId: string) {
  try {
    return await sessions.getOrLoad(sessionId);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'NOT_FOUND') throw sessionNotFound(sessionId);
    throw err;
  }
}

/** Builds the exports of a running server. */
export function createExportsService(deps: ExportsServiceDeps): ExportsService {
  const publish = (sessionId: string, notice: ExportNoticeFact) => {
    const io = deps.io();
    if (!io) return;
    // Not volatile, progress included: it is throttled to a few a second per job, and a client
    // then sees every counter value and the last report (done = total) before `export:finished`.
    io.to(deps.roomOf(sessionId)).emit(notice.type, notice);
  };
  const jobs = new ExportJobs({
    blobs: deps.blobs,
    openSession: sessionOpener({ getOrLoad: (id) => loadSession(deps.sessions(), id) }, deps.blobs),
    onNotice: publish,
    ...(deps.maxRunning ? { maxRunning: deps.maxRunning } : {}),
  });
  const authorizeStart = async (ctx: AppContext, sessionId: string): Promise<void> => {
    const granted = await deps.resolveRole(sessionId, bearerToken(ctx));
    const role = typeof granted === 'string' ? granted : granted.role;
    if (role !== 'editor') {
      throw new RotoError(
        'FORBIDDEN',
        'Viewers cannot start or cancel exports; ask the owner for an editor link',
        { sessionId, role },
      );
    }
  };
  const requireSession = async (sessionId: string): Promise<void> => {
    if (deps.sessions().peek(sessionId)) return;
    try {
      await loadSession(deps.sessions(), sessionId);
    } catch (err) {
      // A session still being ingested exists; it just has nothing to export yet.
      if ((err as { code?: unknown }).code !== 'CONFLICT') throw err;
    }
  };
  return {
    jobs,
    router: exportsRouter({ jobs, authorizeStart, requireSession }),
    close: () => jobs.close(),
  };
}
