import { Router } from '@koa/router';
import { CreateShareLinkSchema, type ShareLinkCreated, type ShareLinkList } from '@roto/shared';
import type { Access } from '../../access/index.ts';
import { parseSessionId, SESSIONS_PATH } from '../../ingest/session-views.ts';
import type { SessionStore } from '../../storage/session-store.ts';
import type { AppContext, AppState } from '../context.ts';

/** The bearer token of a request: `Authorization: Bearer <t>`, else `?token=` (for `<img src>`). */
export function requestToken(ctx: AppContext): string | undefined {
  const header = ctx.get('Authorization');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (m) return m[1];
  const q = ctx.query.token;
  return typeof q === 'string' && q !== '' ? q : undefined;
}

/** Throws NOT_FOUND (the store's error) when no session has this id. */
async function mustExist(store: SessionStore, sessionId: string): Promise<void> {
  await store.diskUsage(sessionId);
}

/**
 * Share links (owner token required, in every `AUTH_MODE`):
 *
 * - `POST /api/v1/sessions/:id/links` `{ role: 'editor' | 'viewer', expiresInSec? }` → 201
 *   `{ linkId, role, token, url, expiresAt }`.
 * - `GET /api/v1/sessions/:id/links` → `{ links: [{ linkId, role, createdAt, expiresAt, revokedAt? }] }`.
 * - `DELETE /api/v1/sessions/:id/links/:linkId` → 200, the revoked link. Durable before the
 *   answer; every socket that joined with it gets `access:revoked` and is disconnected.
 *
 * Mount it after the JSON body parser.
 */
export function shareLinksRouter(deps: { access: Access; store: SessionStore }): Router<AppState> {
  const { access, store } = deps;
  const router = new Router<AppState>({ prefix: SESSIONS_PATH });
  const owner = async (ctx: AppContext): Promise<string> => {
    const sessionId = parseSessionId(ctx.params.id ?? '');
    await access.control.requireOwner(sessionId, requestToken(ctx));
    await mustExist(store, sessionId);
    return sessionId;
  };

  router.post('/:id/links', async (ctx) => {
    const sessionId = await owner(ctx);
    const body = CreateShareLinkSchema.parse(ctx.request.body ?? {});
    const created: ShareLinkCreated = await access.links.create(sessionId, body.role, body.expiresInSec);
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = created;
  });

  router.get('/:id/links', async (ctx) => {
    const sessionId = await owner(ctx);
    const list: ShareLinkList = { links: await access.links.list(sessionId) };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = list;
  });

  router.delete('/:id/links/:linkId', async (ctx) => {
    const sessionId = await owner(ctx);
    ctx.body = await access.links.revoke(sessionId, ctx.params.linkId ?? '');
  });

  return router;
}

const SESSION_PATH = new RegExp(`^${SESSIONS_PATH}/([^/]+)(/.*)?$`);

/**
 * Guards the sessions REST API: reads of a session (details, frames, thumbnails) take any valid
 * token of that session, or none in `AUTH_MODE=open`; in `token` mode deleting a session takes its
 * owner token. Link routes check the owner themselves. Listing and creating sessions stay open.
 */
export function sessionAccessGuard(access: Access) {
  return async (ctx: AppContext, next: () => Promise<unknown>): Promise<void> => {
    const m = SESSION_PATH.exec(ctx.path);
    const rest = m?.[2] ?? '';
    if (!m || rest === '/links' || rest.startsWith('/links/')) return void (await next());
    // Not decoded: valid ids need no escaping, and the router rejects the rest.
    const sessionId = m[1] ?? '';
    if (ctx.method === 'GET' || ctx.method === 'HEAD') {
      await access.control.authorizeRead(sessionId, requestToken(ctx));
    } else if (ctx.method === 'DELETE' && rest === '' && access.control.mode === 'token') {
      await access.control.requireOwner(sessionId, requestToken(ctx));
    }
    await next();
  };
}
