/**
 * What the REST handlers are built from, and the step every session route starts with: check the
 * id, resolve the caller, load the live room (the same `SessionRoom` Socket.IO participants use).
 */
import type { IngestService } from '../../ingest/ingest-service.ts';
import { sessionNotFound } from '../../ingest/session-meta.ts';
import { parseSessionId } from '../../ingest/session-views.ts';
import type { Logger } from '../../observability/logger.ts';
import type { SessionManager } from '../../sessions/manager.ts';
import type { SessionRoom } from '../../sessions/room.ts';
import type { Actor } from '../../sessions/types.ts';
import type { SessionStore } from '../../storage/index.ts';
import type { AppContext } from '../context.ts';
import { type ResolveRole, restActor } from './caller.ts';
import type { JobHistory } from './job-history.ts';

/** The dependencies of the REST API v1 and the seed-003 routes. */
export interface ApiDeps {
  /** The live sessions (built with the realtime layer, after the routers: hence a getter). */
  sessions: () => SessionManager;
  store: SessionStore;
  ingest: IngestService;
  jobs: JobHistory;
  resolveRole: ResolveRole;
  /** Mints a new session's owner token (access control on): the seed upload hands it out. */
  ownerToken?: (sessionId: string) => string;
  logger: Logger;
}

/** A session route's room and caller. */
export interface SessionCall {
  sessionId: string;
  room: SessionRoom;
  actor: Actor;
}

/** Parses `ctx.params.id`, resolves the caller's role and loads the session's room. */
export async function sessionCall(
  deps: ApiDeps,
  ctx: AppContext,
  rawId = ctx.params.id,
): Promise<SessionCall> {
  const sessionId = parseSessionId(rawId ?? '');
  const actor = await restActor(ctx, sessionId, deps.resolveRole);
  const room = await loadRoom(deps, sessionId);
  return { sessionId, room, actor };
}

/** The live room of a session; NOT_FOUND names the session when there is none. */
export async function loadRoom(deps: ApiDeps, sessionId: string): Promise<SessionRoom> {
  try {
    return await deps.sessions().getOrLoad(sessionId);
  } catch (err) {
    // The only thing loading can miss is the session itself.
    if ((err as { code?: unknown }).code === 'NOT_FOUND') throw sessionNotFound(sessionId);
    throw err;
  }
}
