/**
 * The REST API v1 route table: every operation's metadata (for the OpenAPI document) next to its
 * handler. Request bodies are the realtime command schemas without `commandId`.
 */
import {
  FrameIndexSchema,
  FrameMasksResponseSchema,
  JobAcceptedSchema,
  JobListSchema,
  JobStatusSchema,
  MaskListFormatSchema,
  ObjectAckSchema,
  ObjectCreateCommandSchema,
  ObjectIdSchema,
  ObjectListSchema,
  ObjectUpdateCommandSchema,
  PromptAddCommandSchema,
  PromptAddResponseSchema,
  PropagationStartCommandSchema,
  SeqAckSchema,
  TrackedObjectSchema,
} from '@roto/shared';
import { z } from 'zod';
import { SESSIONS_PATH } from '../../ingest/session-views.ts';
import type { ParamSpec, RouteSpec } from '../openapi/route-spec.ts';
import type { ApiDeps } from './deps.ts';
import { apiHandlers } from './handlers.ts';

const S = `${SESSIONS_PATH}/:id`;
const TAG = 'Segmentation';

/** Path parameters shared by the routes. */
export const PARAMS = {
  id: { name: 'id', description: 'The session id.', schema: z.string().min(1).max(128) },
  objectId: { name: 'objectId', description: 'An object id (from 1).', schema: ObjectIdSchema },
  jobId: {
    name: 'jobId',
    description: 'A job id (from the 202 answer that started it).',
    schema: z.string(),
  },
  n: { name: 'n', description: 'A frame index (from 0).', schema: FrameIndexSchema },
} satisfies Record<string, ParamSpec>;

const noCommandId = ['commandId'] as const;
const commandErrors = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'CONFLICT',
  'BUSY',
] as const;
const readErrors = ['INVALID_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHORIZED', 'CONFLICT'] as const;

/** The v1 routes with their handlers. */
export function apiRoutes(deps: ApiDeps): RouteSpec[] {
  const h = apiHandlers(deps);
  return [
    {
      method: 'post',
      path: `${S}/prompts`,
      operationId: 'addPrompt',
      summary: 'Add clicks (and/or a box) for an object on a frame; answers with the new mask',
      description:
        "Same as the realtime `prompt:add`: points are merged with the object's existing prompts on that frame. Without `objectId` a new object is created. The mask is COCO RLE (`size` = [height, width], column-major counts) with area and bbox.",
      tag: TAG,
      pathParams: [PARAMS.id],
      idempotent: true,
      body: { name: 'PromptAddBody', schema: PromptAddCommandSchema, omit: noCommandId },
      responses: {
        200: {
          description: 'The stored mask',
          schema: { name: 'PromptAddResponse', schema: PromptAddResponseSchema },
        },
      },
      errors: [...commandErrors, 'MODEL_UNAVAILABLE', 'UNSUPPORTED_MEDIA'],
      handler: h.addPrompt,
    },
    {
      method: 'delete',
      path: `${S}/prompts`,
      operationId: 'clearPrompts',
      summary: "Remove an object's prompts (and its mask) on a frame",
      tag: TAG,
      pathParams: [PARAMS.id],
      query: [
        { name: 'frame', description: 'The frame.', required: true, schema: FrameIndexSchema },
        { name: 'objectId', description: 'The object.', required: true, schema: ObjectIdSchema },
      ],
      idempotent: true,
      responses: { 200: { description: 'Stored', schema: { name: 'SeqAck', schema: SeqAckSchema } } },
      errors: commandErrors,
      handler: h.clearPrompts,
    },
    {
      method: 'get',
      path: `${S}/objects`,
      operationId: 'listObjects',
      summary: 'The objects of a session, by id',
      tag: TAG,
      pathParams: [PARAMS.id],
      responses: {
        200: { description: 'The objects', schema: { name: 'ObjectList', schema: ObjectListSchema } },
      },
      errors: readErrors,
      handler: h.listObjects,
    },
    {
      method: 'post',
      path: `${S}/objects`,
      operationId: 'createObject',
      summary: 'Create an object (name and colour chosen by the server when absent)',
      tag: TAG,
      pathParams: [PARAMS.id],
      idempotent: true,
      body: { name: 'ObjectCreateBody', schema: ObjectCreateCommandSchema, omit: noCommandId },
      responses: { 201: { description: 'Created', schema: { name: 'ObjectAck', schema: ObjectAckSchema } } },
      errors: [...commandErrors, 'UNSUPPORTED_MEDIA'],
      handler: h.createObject,
    },
    {
      method: 'get',
      path: `${S}/objects/:objectId`,
      operationId: 'getObject',
      summary: 'One object',
      tag: TAG,
      pathParams: [PARAMS.id, PARAMS.objectId],
      responses: {
        200: { description: 'The object', schema: { name: 'TrackedObject', schema: TrackedObjectSchema } },
      },
      errors: readErrors,
      handler: h.getObject,
    },
    {
      method: 'patch',
      path: `${S}/objects/:objectId`,
      operationId: 'updateObject',
      summary: 'Rename or recolour an object',
      tag: TAG,
      pathParams: [PARAMS.id, PARAMS.objectId],
      idempotent: true,
      body: { name: 'ObjectUpdateBody', schema: ObjectUpdateCommandSchema, omit: ['commandId', 'objectId'] },
      responses: { 200: { description: 'Stored', schema: { name: 'ObjectAck', schema: ObjectAckSchema } } },
      errors: [...commandErrors, 'UNSUPPORTED_MEDIA'],
      handler: h.updateObject,
    },
    {
      method: 'delete',
      path: `${S}/objects/:objectId`,
      operationId: 'deleteObject',
      summary: 'Delete an object with its prompts and masks',
      tag: TAG,
      pathParams: [PARAMS.id, PARAMS.objectId],
      idempotent: true,
      responses: { 200: { description: 'Stored', schema: { name: 'SeqAck', schema: SeqAckSchema } } },
      errors: commandErrors,
      handler: h.deleteObject,
    },
    {
      method: 'post',
      path: `${S}/propagations`,
      operationId: 'startPropagation',
      summary: 'Track objects from their prompted frames through the video (a background job)',
      description:
        'Answers 202 with the job id at once; masks are stored (and broadcast to the session) frame by frame. Follow the job at `Location`.',
      tag: TAG,
      pathParams: [PARAMS.id],
      idempotent: true,
      body: { name: 'PropagationBody', schema: PropagationStartCommandSchema, omit: noCommandId },
      responses: {
        202: { description: 'Started', schema: { name: 'JobAccepted', schema: JobAcceptedSchema } },
      },
      errors: [...commandErrors, 'UNSUPPORTED_MEDIA'],
      handler: h.startPropagation,
    },
    {
      method: 'get',
      path: `${S}/jobs`,
      operationId: 'listJobs',
      summary: 'Jobs of the session: running ones first, then ended ones, newest first',
      tag: TAG,
      pathParams: [PARAMS.id],
      responses: { 200: { description: 'The jobs', schema: { name: 'JobList', schema: JobListSchema } } },
      errors: readErrors,
      handler: h.listJobs,
    },
    {
      method: 'get',
      path: `${S}/jobs/:jobId`,
      operationId: 'getJob',
      summary: 'A job: status and progress',
      tag: TAG,
      pathParams: [PARAMS.id, PARAMS.jobId],
      responses: { 200: { description: 'The job', schema: { name: 'JobStatus', schema: JobStatusSchema } } },
      errors: readErrors,
      handler: h.getJob,
    },
    {
      method: 'post',
      path: `${S}/jobs/:jobId/cancel`,
      operationId: 'cancelJob',
      summary: 'Stop a running job (masks already stored stay)',
      tag: TAG,
      pathParams: [PARAMS.id, PARAMS.jobId],
      idempotent: true,
      responses: {
        202: { description: 'Cancelling', schema: { name: 'JobAccepted', schema: JobAcceptedSchema } },
      },
      errors: commandErrors,
      handler: h.cancelJob,
    },
    {
      method: 'get',
      path: `${S}/frames/:n/masks`,
      operationId: 'getFrameMasks',
      summary: 'The masks of a frame, as COCO RLE JSON or a PNG',
      description:
        "`format=rle` (default): every object's mask (or `objectId`'s) as COCO RLE with area and bbox. `format=png`: with `objectId`, a grayscale PNG (255 inside, 0 outside); without, an indexed PNG whose palette index k is the k-th object by id, in its colour (0 = background).",
      tag: TAG,
      pathParams: [PARAMS.id, PARAMS.n],
      query: [
        { name: 'format', description: '`rle` (default) or `png`.', schema: MaskListFormatSchema },
        { name: 'objectId', description: 'Only this object.', schema: ObjectIdSchema },
      ],
      responses: {
        200: {
          description: 'The masks',
          schema: { name: 'FrameMasksResponse', schema: FrameMasksResponseSchema },
          alsoContentTypes: ['image/png'],
        },
      },
      errors: readErrors,
      handler: h.frameMasks,
    },
  ];
}
