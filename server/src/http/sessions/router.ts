import { Router } from '@koa/router';
import { CreateSessionJsonSchema, RotoError, type SessionCreated } from '@roto/shared';
import type { IngestService } from '../../ingest/ingest-service.ts';
import { readMeta } from '../../ingest/session-meta.ts';
import {
  frameFile,
  listSessions,
  parseSessionId,
  SESSIONS_PATH,
  sessionDetails,
  thumbnailsOf,
} from '../../ingest/session-views.ts';
import { throttled } from '../../ingest/throttle.ts';
import { decodeBase64Payload } from '../../media/image.ts';
import type { SessionStore } from '../../storage/session-store.ts';
import type { AppContext, AppState } from '../context.ts';
import { sendImmutableFile } from './immutable-file.ts';
import { receiveUpload } from './multipart.ts';
import { readJsonBody } from './read-json.ts';

/** What the sessions router needs. */
export interface SessionsRouterDeps {
  ingest: IngestService;
  store: SessionStore;
  /** Mints the owner token returned as `ownerToken` when a session is created. */
  ownerToken?: (sessionId: string) => string;
}

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 200;

/** An AbortSignal that fires when the client goes away before the response is sent. */
function clientGone(ctx: AppContext): AbortSignal {
  const controller = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) controller.abort(new RotoError('CANCELLED', 'The client went away.'));
  });
  return controller.signal;
}

/** Makes a session from whatever the request carries: a multipart upload, a base64 image, or a URL. */
async function createSession(
  ctx: AppContext,
  ingest: IngestService,
  sessionId: string,
): Promise<SessionCreated> {
  if (ctx.request.is('multipart/form-data')) {
    const upload = await receiveUpload(ctx.req, ingest.temp, {
      maxBytes: ingest.maxUploadBytes,
      label: sessionId,
      onProgress: throttled((done, total) => ingest.reportProgress(sessionId, 'upload', done, total)),
    });
    // The name is shown back to people only; a browser never sends one this long, a script might.
    const fileName = upload.fileName?.slice(0, 255);
    const source = fileName ? { kind: 'upload' as const, fileName } : { kind: 'upload' as const };
    return ingest.ingestFile(sessionId, upload.path, source);
  }
  if (ctx.request.is('application/json', '+json')) {
    // base64 inflates by 4/3; the slack covers a data-URL prefix, line breaks and the JSON around it.
    const limit = Math.ceil((ingest.maxImageBytes * 4) / 3) + 64 * 1024;
    const body = CreateSessionJsonSchema.parse(await readJsonBody(ctx.req, limit));
    if (body.image !== undefined) {
      const { bytes } = decodeBase64Payload(body.image, ingest.maxImageBytes);
      return ingest.ingestImage(sessionId, bytes, { kind: 'image' });
    }
    return ingest.ingestUrl(sessionId, body.url as string, clientGone(ctx));
  }
  ctx.req.resume();
  throw new RotoError(
    'UNSUPPORTED_MEDIA',
    `POST ${SESSIONS_PATH} takes multipart/form-data (a "file" field) or JSON ({ "image": base64 } or { "url": … }), not ${ctx.request.type || 'a body without Content-Type'}.`,
    { contentType: ctx.request.type },
  );
}

/**
 * The sessions REST API:
 *
 * - `POST /api/v1/sessions`: multipart upload (`file`), JSON `{ image }` or JSON `{ url }` →
 *   201 `{ sessionId, media, status, ownerToken }` (the owner token manages share links);
 *   `?wait=true` answers once ingest has finished (and with the ingest error when it failed).
 * - `GET /api/v1/sessions`: recent sessions (`?limit=`, default 50) with poster and sprite URLs.
 * - `GET /api/v1/sessions/:id`: metadata, ingest status and progress, disk use.
 * - `DELETE /api/v1/sessions/:id`: cancels ingest and deletes everything (204).
 * - `GET /api/v1/sessions/:id/frames/:n`: frame `n` as JPEG, cached for a year, strong ETag.
 * - `GET /api/v1/sessions/:id/thumbnails`: the thumbnail index (+ `spriteUrl`);
 *   `…/thumbnails/sprite.jpg`: the sprite.
 */
export function sessionsRouter({ ingest, store, ownerToken }: SessionsRouterDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: SESSIONS_PATH });

  router.post('/', async (ctx) => {
    const sessionId = ingest.newSessionId();
    let created = await createSession(ctx, ingest, sessionId);
    if (ctx.query.wait === 'true' && created.status === 'ingesting') {
      await ingest.settled(sessionId);
      const meta = await readMeta(store.blobs, sessionId);
      if (meta.status === 'failed' && meta.error) {
        throw new RotoError(meta.error.code, meta.error.message, {
          ...(meta.error.details as object),
          sessionId,
        });
      }
      created = { sessionId, media: meta.media, status: meta.status };
    }
    ctx.status = 201;
    ctx.set('Location', `${SESSIONS_PATH}/${sessionId}`);
    ctx.body = ownerToken ? { ...created, ownerToken: ownerToken(sessionId) } : created;
  });

  router.get('/', async (ctx) => {
    const raw = ctx.query.limit;
    const limit = raw === undefined ? DEFAULT_LIST_LIMIT : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new RotoError('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}.`, {
        limit: raw,
      });
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await listSessions(store, limit);
  });

  router.get('/:id', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await sessionDetails(store, ingest, ctx.params.id ?? '');
  });

  router.delete('/:id', async (ctx) => {
    await ingest.remove(parseSessionId(ctx.params.id ?? ''));
    ctx.status = 204;
  });

  router.get('/:id/frames/:n', async (ctx) => {
    const path = await frameFile(store, ingest, ctx.params.id ?? '', ctx.params.n ?? '');
    await sendImmutableFile(ctx, path, 'image/jpeg');
  });

  router.get('/:id/thumbnails', async (ctx) => {
    const { index } = await thumbnailsOf(store, ctx.params.id ?? '');
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = { ...index, spriteUrl: `${SESSIONS_PATH}/${ctx.params.id ?? ''}/thumbnails/sprite.jpg` };
  });

  router.get('/:id/thumbnails/sprite.jpg', async (ctx) => {
    const { spritePath } = await thumbnailsOf(store, ctx.params.id ?? '');
    await sendImmutableFile(ctx, spritePath, 'image/jpeg');
  });

  return router;
}
