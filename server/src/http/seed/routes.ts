/**
 * The routes of the seed-003 backend ("SAM2 Interactive Video Segmentation Backend"), exactly as
 * its README writes them, so its clients (`test_workflow.py`, its frontend) work unchanged.
 */
import {
  SeedAnnotateBodySchema,
  SeedAnnotateResponseSchema,
  SeedPropagateBodySchema,
  SeedPropagateResponseSchema,
  SeedUploadResponseSchema,
} from '@roto/shared';
import { z } from 'zod';
import type { ApiDeps } from '../api/deps.ts';
import type { ParamSpec, RouteSpec } from '../openapi/route-spec.ts';
import { seedHandlers } from './handlers.ts';

const TAG = 'seed-003 compatibility';

const SESSION: ParamSpec = {
  name: 'session_id',
  description: 'The session id from /upload-video.',
  schema: z.string(),
};
const FRAME: ParamSpec = {
  name: 'frame_idx',
  description: 'A frame index (from 0).',
  schema: z.number().int().nonnegative(),
};
const sessionErrors = ['INVALID_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHORIZED', 'CONFLICT'] as const;

// /annotate-frame and /refine-mask take the same body and answer the same mask; only the way
// points meet the frame's earlier prompts differs.
const annotateContract = {
  pathParams: [SESSION],
  idempotent: true,
  body: { name: 'SeedAnnotateBody', schema: SeedAnnotateBodySchema },
  responses: {
    200: {
      description: 'The mask',
      schema: { name: 'SeedAnnotateResponse', schema: SeedAnnotateResponseSchema },
    },
  },
  errors: [...sessionErrors, 'MODEL_UNAVAILABLE', 'BUSY', 'UNSUPPORTED_MEDIA'],
} satisfies Partial<RouteSpec>;

/** The seed-003 routes with their handlers. */
export function seedRoutes(deps: ApiDeps): RouteSpec[] {
  const h = seedHandlers(deps);
  return [
    {
      method: 'post',
      path: '/upload-video',
      operationId: 'seedUploadVideo',
      summary: 'Upload a video (multipart field `file`); answers once its frames are decoded',
      tag: TAG,
      multipartFile: 'file',
      responses: {
        200: {
          description: 'The new session',
          schema: { name: 'SeedUploadResponse', schema: SeedUploadResponseSchema },
        },
      },
      errors: ['INVALID_INPUT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA', 'RATE_LIMITED'],
      handler: h.uploadVideo,
    },
    {
      method: 'get',
      path: '/frame/:session_id/:frame_idx',
      operationId: 'seedGetFrame',
      summary: 'A frame as JPEG',
      tag: TAG,
      pathParams: [SESSION, FRAME],
      responses: { 200: { description: 'The frame', contentType: 'image/jpeg' } },
      errors: ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT'],
      handler: h.frame,
    },
    {
      method: 'post',
      path: '/annotate-frame/:session_id',
      operationId: 'seedAnnotateFrame',
      summary:
        "Set an object's points on a frame (replacing its earlier points there); answers with the mask",
      description:
        '`obj_id` selects the object: default the first one, created when the session has none; the next free id creates a new one.',
      tag: TAG,
      ...annotateContract,
      handler: h.annotateFrame,
    },
    {
      method: 'post',
      path: '/propagate/:session_id',
      operationId: 'seedPropagate',
      summary: 'Propagate masks from start_frame to end_frame (backward when end < start); answers when done',
      tag: TAG,
      pathParams: [SESSION],
      idempotent: true,
      body: { name: 'SeedPropagateBody', schema: SeedPropagateBodySchema },
      responses: {
        200: {
          description: 'Finished',
          schema: { name: 'SeedPropagateResponse', schema: SeedPropagateResponseSchema },
        },
      },
      errors: [...sessionErrors, 'MODEL_UNAVAILABLE', 'BUSY', 'CANCELLED', 'UNSUPPORTED_MEDIA'],
      handler: h.propagate,
    },
    {
      method: 'post',
      path: '/refine-mask/:session_id',
      operationId: 'seedRefineMask',
      summary: "Add points to the frame's existing prompts (the previous mask is fed to the model)",
      tag: TAG,
      ...annotateContract,
      handler: h.refineMask,
    },
    {
      method: 'get',
      path: '/overlay/:session_id/:frame_idx',
      operationId: 'seedGetOverlay',
      summary: 'A frame as JPEG with every mask blended in its object colour',
      tag: TAG,
      pathParams: [SESSION, FRAME],
      responses: { 200: { description: 'The overlay', contentType: 'image/jpeg' } },
      errors: sessionErrors,
      handler: h.overlay,
    },
    {
      method: 'get',
      path: '/export/:session_id',
      operationId: 'seedExport',
      summary: 'The video with the masks blended in (MP4, H.264)',
      tag: TAG,
      pathParams: [SESSION],
      responses: { 200: { description: 'The video', contentType: 'video/mp4' } },
      errors: [...sessionErrors, 'CANCELLED'],
      handler: h.exportVideo,
    },
  ];
}
