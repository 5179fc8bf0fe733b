/**
 * Who a REST request acts as. The one place REST commands resolve the caller's role: the bearer
 * token (if any) goes to the same `authorize` seam the realtime layer uses on join, so an access
 * layer plugs into both at once. Open mode (no `authorize`) makes every caller an editor.
 */
import type { Actor, Role } from '../../sessions/types.ts';
import type { AppContext } from '../context.ts';

/**
 * Decides a caller's role in a session from its token: `editor` or `viewer` (or a grant naming
 * it), or throw a RotoError (UNAUTHORIZED for a bad token, FORBIDDEN for no access). Same contract
 * as the realtime `Authorize`, so one function serves both.
 */
export type ResolveRole = (
  sessionId: string,
  token: string | undefined,
) => Role | { role: Role } | Promise<Role | { role: Role }>;

/** Open mode: everyone edits. */
export const OPEN_ACCESS: ResolveRole = () => 'editor';

/** The caller's token: an `Authorization: Bearer …` header, else a `?token=` query parameter. */
export function bearerToken(ctx: AppContext): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  if (match) return match[1];
  const q = ctx.query.token;
  return typeof q === 'string' && q !== '' ? q : undefined;
}

/** The display name REST work is attributed to (job `startedBy`, history owner). */
export const REST_USER_NAME = 'REST API';

/**
 * The actor of a REST request in `sessionId`: its role from `resolveRole`, a participant id per
 * request (REST callers are not listed as participants) and one shared history owner.
 */
export async function restActor(
  ctx: AppContext,
  sessionId: string,
  resolveRole: ResolveRole,
): Promise<Actor> {
  const granted = await resolveRole(sessionId, bearerToken(ctx));
  const role = typeof granted === 'string' ? granted : granted.role;
  return {
    participantId: `rest:${ctx.state.requestId}`,
    clientId: 'rest',
    user: { name: REST_USER_NAME },
    role,
  };
}
