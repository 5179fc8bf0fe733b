/**
 * The REST API v1 handlers. Each mutating handler parses its body with the realtime command's own
 * schema and runs the same `SessionRoom` command a Socket.IO participant would: the work is stored
 * before the answer and its facts reach everyone in the session live.
 */
import {
  type FactOf,
  type FrameMasksResponse,
  type JobAck,
  JobCancelCommandSchema,
  type ObjectAck,
  ObjectCreateCommandSchema,
  ObjectDeleteCommandSchema,
  ObjectUpdateCommandSchema,
  type PromptAddAck,
  PromptAddCommandSchema,
  type PromptAddResponse,
  PromptClearCommandSchema,
  PropagationStartCommandSchema,
  RotoError,
  type SeqAck,
} from '@roto/shared';
import { parseFrameIndex, SESSIONS_PATH } from '../../ingest/session-views.ts';
import { requireObject } from '../../sessions/edits.ts';
import type { AppContext } from '../context.ts';
import { type ApiDeps, sessionCall } from './deps.ts';
import { frameMasks, labelsPng, objectMaskPng, restMask } from './mask-views.ts';
import { commandPayload, frameInSession, parseObjectId, queryChoice, queryValue } from './params.ts';

/** A REST handler bound to its dependencies. */
export type Handler = (ctx: AppContext) => Promise<void>;

/** The REST form of a `mask:updated` fact (a fresh mask is never stale). */
export function restMaskOfFact(fact: FactOf<'mask:updated'>) {
  return restMask(fact.objectId, fact.frame, {
    version: fact.version,
    bytes: fact.mask,
    present: fact.present,
    source: fact.source,
    stale: false,
  });
}

function noStore(ctx: AppContext): void {
  ctx.set('Cache-Control', 'no-store');
}

/** The handlers of every v1 route, by operation. */
export function apiHandlers(deps: ApiDeps) {
  return {
    addPrompt: (async (ctx) => {
      const { room, actor } = await sessionCall(deps, ctx);
      const payload = commandPayload(ctx, PromptAddCommandSchema);
      const ack = (await room.execute(actor, { type: 'prompt:add', payload })) as PromptAddAck;
      const body: PromptAddResponse = {
        seq: ack.seq,
        objectId: ack.objectId,
        frame: ack.frame,
        mask: restMaskOfFact(ack.mask),
      };
      ctx.body = body;
    }) satisfies Handler,

    clearPrompts: (async (ctx) => {
      const { room, actor } = await sessionCall(deps, ctx);
      const frame = queryValue(ctx, 'frame');
      if (frame === undefined)
        throw new RotoError('INVALID_INPUT', 'frame is required (?frame=N&objectId=M).');
      const payload = commandPayload(ctx, PromptClearCommandSchema, {
        frame: parseFrameIndex(frame),
        objectId: parseObjectId(queryValue(ctx, 'objectId')),
      });
      ctx.body = (await room.execute(actor, { type: 'prompt:clear', payload })) as SeqAck;
    }) satisfies Handler,

    listObjects: (async (ctx) => {
      const { room } = await sessionCall(deps, ctx);
      noStore(ctx);
      ctx.body = { objects: [...room.state.objects.values()].sort((a, b) => a.id - b.id) };
    }) satisfies Handler,

    getObject: (async (ctx) => {
      const { room } = await sessionCall(deps, ctx);
      noStore(ctx);
      ctx.body = requireObject(room.state, parseObjectId(ctx.params.objectId));
    }) satisfies Handler,

    createObject: (async (ctx) => {
      const { sessionId, room, actor } = await sessionCall(deps, ctx);
      const payload = commandPayload(ctx, ObjectCreateCommandSchema);
      const ack = (await room.execute(actor, { type: 'object:create', payload })) as ObjectAck;
      ctx.status = 201;
      ctx.set('Location', `${SESSIONS_PATH}/${sessionId}/objects/${ack.object.id}`);
      ctx.body = ack;
    }) satisfies Handler,

    updateObject: (async (ctx) => {
      const { room, actor } = await sessionCall(deps, ctx);
      const payload = commandPayload(ctx, ObjectUpdateCommandSchema, {
        objectId: parseObjectId(ctx.params.objectId),
      });
      ctx.body = (await room.execute(actor, { type: 'object:update', payload })) as ObjectAck;
    }) satisfies Handler,

    deleteObject: (async (ctx) => {
      const { room, actor } = await sessionCall(deps, ctx);
      const payload = commandPayload(ctx, ObjectDeleteCommandSchema, {
        objectId: parseObjectId(ctx.params.objectId),
      });
      ctx.body = (await room.execute(actor, { type: 'object:delete', payload })) as SeqAck;
    }) satisfies Handler,

    startPropagation: (async (ctx) => {
      const { sessionId, room, actor } = await sessionCall(deps, ctx);
      const payload = commandPayload(ctx, PropagationStartCommandSchema);
      const ack = (await room.execute(actor, { type: 'propagation:start', payload })) as JobAck;
      ctx.status = 202;
      ctx.set('Location', `${SESSIONS_PATH}/${sessionId}/jobs/${ack.jobId}`);
      ctx.body = ack;
    }) satisfies Handler,

    listJobs: (async (ctx) => {
      const { room } = await sessionCall(deps, ctx);
      noStore(ctx);
      ctx.body = { jobs: await deps.jobs.list(room) };
    }) satisfies Handler,

    getJob: (async (ctx) => {
      const { room } = await sessionCall(deps, ctx);
      const jobId = ctx.params.jobId ?? '';
      const status = await deps.jobs.status(room, jobId);
      if (!status) throw noSuchJob(jobId);
      noStore(ctx);
      ctx.body = status;
    }) satisfies Handler,

    cancelJob: (async (ctx) => {
      const { room, actor } = await sessionCall(deps, ctx);
      const jobId = ctx.params.jobId ?? '';
      const status = await deps.jobs.status(room, jobId);
      if (!status) throw noSuchJob(jobId);
      if (status.status !== 'running') {
        throw new RotoError('CONFLICT', `Job ${jobId} has already ended (${status.status}).`, {
          jobId,
          status: status.status,
        });
      }
      const payload = commandPayload(ctx, JobCancelCommandSchema, { jobId });
      ctx.status = 202;
      ctx.body = (await room.execute(actor, { type: 'job:cancel', payload })) as JobAck;
    }) satisfies Handler,

    frameMasks: (async (ctx) => {
      const { sessionId, room } = await sessionCall(deps, ctx);
      const state = room.state;
      const frame = frameInSession(ctx.params.n, state);
      const format = queryChoice(ctx, 'format', ['rle', 'png'] as const, 'rle');
      const rawObject = queryValue(ctx, 'objectId');
      const objectId = rawObject === undefined ? undefined : parseObjectId(rawObject);
      if (objectId !== undefined) requireObject(state, objectId);
      noStore(ctx);
      if (format === 'png') {
        ctx.type = 'image/png';
        ctx.body =
          objectId === undefined ? labelsPng(state, frame) : await objectMaskPng(state, objectId, frame);
        return;
      }
      const body: FrameMasksResponse = {
        frame,
        width: state.media.width,
        height: state.media.height,
        masks: frameMasks(state, frame, objectId === undefined ? undefined : [objectId], sessionId),
      };
      ctx.body = body;
    }) satisfies Handler,
  };
}

function noSuchJob(jobId: string): RotoError {
  return new RotoError('NOT_FOUND', `There is no job "${jobId.slice(0, 100)}" in this session.`, {
    jobId: jobId.slice(0, 100),
  });
}
