/**
 * The seed-003 routes, answering in its snake_case shapes so its clients work unchanged. Each is
 * built on the same pieces as the v1 API: ingest for uploads, `SessionRoom` commands for clicks
 * and propagation (so people in the session watch the work arrive), the export library for MP4.
 */

import type {
  SeedAnnotateResponseSchema,
  SeedPropagateResponseSchema,
  SeedUploadResponseSchema,
} from '@roto/shared';
import {
  isErrorCode,
  type JobAck,
  type PromptAddAck,
  PromptAddCommandSchema,
  PromptClearCommandSchema,
  PropagationStartCommandSchema,
  RotoError,
  SeedAnnotateBodySchema,
  SeedPropagateBodySchema,
} from '@roto/shared';
import type { z } from 'zod';
import { readMeta } from '../../ingest/session-meta.ts';
import { frameFile } from '../../ingest/session-views.ts';
import { throttled } from '../../ingest/throttle.ts';
import { type ApiDeps, sessionCall } from '../api/deps.ts';
import { restMaskOfFact } from '../api/handlers.ts';
import { commandIdOf, frameInSession, jsonObjectBody } from '../api/params.ts';
import type { AppContext } from '../context.ts';
import { sendImmutableFile } from '../sessions/immutable-file.ts';
import { receiveUpload } from '../sessions/multipart.ts';
import { sendOverlayVideo } from './export.ts';
import { seedObject } from './objects.ts';
import { overlayJpeg } from './overlay.ts';

type Handler = (ctx: AppContext) => Promise<void>;

/** The seed-003 handlers, by operation. */
export function seedHandlers(deps: ApiDeps) {
  /** Annotate (replace the frame's points) or refine (add to them, feeding the previous mask). */
  const click =
    (mode: 'annotate' | 'refine'): Handler =>
    async (ctx) => {
      const { sessionId, room, actor } = await sessionCall(deps, ctx, ctx.params.session_id);
      const body = SeedAnnotateBodySchema.parse(jsonObjectBody(ctx));
      const objectId = seedObject(room.state, body.obj_id);
      const commandId = commandIdOf(ctx);
      if (
        mode === 'annotate' &&
        objectId !== undefined &&
        room.state.promptsOf(objectId).has(body.frame_idx)
      ) {
        const clear = PromptClearCommandSchema.parse({
          commandId: `${commandId.slice(0, 90)}:clear`,
          frame: body.frame_idx,
          objectId,
        });
        await room.execute(actor, { type: 'prompt:clear', payload: clear });
      }
      const payload = PromptAddCommandSchema.parse({
        commandId,
        frame: body.frame_idx,
        ...(objectId !== undefined ? { objectId } : {}),
        points: body.points,
        ...(mode === 'refine' ? { refine: true } : {}),
      });
      const ack = (await room.execute(actor, { type: 'prompt:add', payload })) as PromptAddAck;
      const { size, counts, area, bbox } = restMaskOfFact(ack.mask);
      const answer: z.input<typeof SeedAnnotateResponseSchema> = {
        success: true,
        session_id: sessionId,
        frame_idx: ack.frame,
        obj_id: ack.objectId,
        mask: { size, counts, area, bbox },
        mask_area: area,
        points_count: room.state.promptsOf(ack.objectId).get(ack.frame)?.points.length ?? body.points.length,
      };
      ctx.body = answer;
    };

  return {
    uploadVideo: (async (ctx) => {
      const { ingest, store } = deps;
      if (!ctx.request.is('multipart/form-data')) {
        ctx.req.resume();
        throw new RotoError(
          'UNSUPPORTED_MEDIA',
          'POST /upload-video takes multipart/form-data with the video in a field named "file".',
          { contentType: ctx.request.type },
        );
      }
      const sessionId = ingest.newSessionId();
      const upload = await receiveUpload(ctx.req, ingest.temp, {
        maxBytes: ingest.maxUploadBytes,
        label: sessionId,
        onProgress: throttled((done, total) => ingest.reportProgress(sessionId, 'upload', done, total)),
      });
      const fileName = upload.fileName?.slice(0, 255);
      const created = await ingest.ingestFile(
        sessionId,
        upload.path,
        fileName ? { kind: 'upload', fileName } : { kind: 'upload' },
      );
      // The seed's clients ask for frames right after the upload: answer once they are decoded.
      if (created.status === 'ingesting') await ingest.settled(sessionId);
      const meta = await readMeta(store.blobs, sessionId);
      if (meta.status === 'failed' && meta.error) {
        throw new RotoError(meta.error.code, meta.error.message, {
          ...(meta.error.details as object),
          sessionId,
        });
      }
      const answer: z.input<typeof SeedUploadResponseSchema> = {
        session_id: sessionId,
        frame_count: meta.frames?.count ?? meta.media.frameCount,
        fps: meta.media.fps,
        width: meta.media.width,
        height: meta.media.height,
        duration: meta.media.durationSec,
        status: meta.status,
        // Extra to the seed's shape: the token that manages the session's share links.
        ...(deps.ownerToken ? { owner_token: deps.ownerToken(sessionId) } : {}),
      };
      ctx.status = 200;
      ctx.body = answer;
    }) satisfies Handler,

    frame: (async (ctx) => {
      const path = await frameFile(
        deps.store,
        deps.ingest,
        ctx.params.session_id ?? '',
        ctx.params.frame_idx ?? '',
      );
      await sendImmutableFile(ctx, path, 'image/jpeg');
    }) satisfies Handler,

    annotateFrame: click('annotate'),
    refineMask: click('refine'),

    propagate: (async (ctx) => {
      const { sessionId, room, actor } = await sessionCall(deps, ctx, ctx.params.session_id);
      const body = SeedPropagateBodySchema.parse(jsonObjectBody(ctx));
      if (body.session_id !== undefined && body.session_id !== sessionId) {
        throw new RotoError(
          'INVALID_INPUT',
          `session_id "${body.session_id.slice(0, 128)}" in the body does not match the URL's "${sessionId}".`,
        );
      }
      const last = room.state.media.frameCount - 1;
      const start = body.start_frame;
      const end = body.end_frame ?? last;
      for (const [name, f] of [
        ['start_frame', start],
        ['end_frame', end],
      ] as const) {
        if (f > last) {
          throw new RotoError(
            'INVALID_INPUT',
            `${name} ${f} does not exist: this video has frames 0–${last}.`,
            {
              [name]: f,
              frame_count: last + 1,
            },
          );
        }
      }
      const payload = PropagationStartCommandSchema.parse({
        commandId: commandIdOf(ctx),
        direction: end >= start ? 'forward' : 'backward',
        range: { from: Math.min(start, end), to: Math.max(start, end) },
        ...(body.obj_id !== undefined ? { objectIds: [body.obj_id] } : {}),
      });
      const { jobId } = (await room.execute(actor, { type: 'propagation:start', payload })) as JobAck;
      const status = await deps.jobs.waitForEnd(room, jobId);
      if (!status) throw new RotoError('INTERNAL', `Job ${jobId} vanished from the session log.`);
      if (status.status === 'failed') {
        const code = isErrorCode(status.error?.code) ? status.error.code : 'INTERNAL';
        throw new RotoError(code, status.error?.message ?? 'The propagation failed.', { job_id: jobId });
      }
      if (status.status === 'cancelled') {
        throw new RotoError(
          'CANCELLED',
          `The propagation was cancelled (${status.reason ?? 'no reason given'}).`,
          {
            job_id: jobId,
          },
        );
      }
      const answer: z.input<typeof SeedPropagateResponseSchema> = {
        success: true,
        session_id: sessionId,
        job_id: jobId,
        status: status.status,
        start_frame: start,
        end_frame: end,
        obj_ids: status.job.objectIds,
        frames_processed: status.progress.done,
      };
      ctx.body = answer;
    }) satisfies Handler,

    overlay: (async (ctx) => {
      const { room } = await sessionCall(deps, ctx, ctx.params.session_id);
      const frame = frameInSession(ctx.params.frame_idx, room.state);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'image/jpeg';
      ctx.body = await overlayJpeg(deps.store, room, frame);
    }) satisfies Handler,

    exportVideo: (async (ctx) => {
      const { room } = await sessionCall(deps, ctx, ctx.params.session_id);
      await sendOverlayVideo(ctx, deps.store, room);
    }) satisfies Handler,
  };
}
