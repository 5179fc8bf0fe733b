import { z } from 'zod';
import {
  FrameIndexSchema,
  JobInfoSchema,
  JobProgressSchema,
  MaskSourceSchema,
  PromptAddCommandSchema,
  PropagationStartCommandSchema,
} from './events.ts';
import { ObjectIdSchema, TrackedObjectSchema } from './media.ts';
import { PointLabelSchema } from './prompts.ts';

/**
 * The REST API v1 for programs (`/api/v1/sessions/:id/…`) and the seed-003 compatible routes.
 * Request bodies of REST commands are the realtime command payloads without `commandId` (it comes
 * from the `Idempotency-Key` header); the answers below are what REST adds on top: masks as COCO
 * RLE JSON instead of the realtime RM bytes, job status, and the snake_case seed-003 shapes.
 */

/** The header whose value becomes a REST command's `commandId` (a retry gets the first answer). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** A mask as REST answers it: pycocotools' COCO RLE (`size` = [height, width]) plus area and bbox. */
export const RestMaskSchema = z.object({
  objectId: ObjectIdSchema,
  frame: FrameIndexSchema,
  /** Per (object, frame), +1 on every change. */
  version: z.number().int().positive(),
  /** False when the model judges the object absent on this frame (the mask is then empty). */
  present: z.boolean(),
  source: MaskSourceSchema,
  /** Computed from prompts that have changed since. */
  stale: z.boolean(),
  size: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  /** Compressed counts (pycocotools' string form, column-major). */
  counts: z.string(),
  /** Pixels in the mask. */
  area: z.number().int().nonnegative(),
  /** `[x, y, width, height]` of the mask's pixels (all zero for an empty mask). */
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});
export type RestMask = z.infer<typeof RestMaskSchema>;

/** `POST /sessions/:id/prompts` body: `prompt:add` without `commandId`. */
export const PromptAddBodySchema = PromptAddCommandSchema;

/** `POST /sessions/:id/prompts` answer. */
export const PromptAddResponseSchema = z.object({
  seq: z.number().int().positive(),
  objectId: ObjectIdSchema,
  frame: FrameIndexSchema,
  mask: RestMaskSchema,
});
export type PromptAddResponse = z.infer<typeof PromptAddResponseSchema>;

/** `DELETE /sessions/:id/prompts` query. */
export const PromptClearQuerySchema = z.object({ frame: FrameIndexSchema, objectId: ObjectIdSchema });

/** `GET /sessions/:id/objects` answer. */
export const ObjectListSchema = z.object({ objects: z.array(TrackedObjectSchema) });

/** `POST /sessions/:id/propagations` body: `propagation:start` without `commandId`. */
export const PropagationBodySchema = PropagationStartCommandSchema;

/** Where a job is in its life. */
export const JobStatusNameSchema = z.enum(['running', 'finished', 'cancelled', 'failed']);
export type JobStatusName = z.infer<typeof JobStatusNameSchema>;

/** `GET /sessions/:id/jobs/:jobId` answer. */
export const JobStatusSchema = z.object({
  jobId: z.string(),
  status: JobStatusNameSchema,
  job: JobInfoSchema,
  /** Steps done of the total, with speed and ETA while running. */
  progress: JobProgressSchema,
  /** Why it was cancelled. */
  reason: z.string().optional(),
  /** Why it failed. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** `GET /sessions/:id/jobs` answer: running jobs first, then ended ones, newest first. */
export const JobListSchema = z.object({ jobs: z.array(JobStatusSchema) });

/** `202` answer of commands that start or stop a job. */
export const JobAcceptedSchema = z.object({ jobId: z.string() });

/** `GET /sessions/:id/frames/:n/masks?format=rle` answer. */
export const FrameMasksResponseSchema = z.object({
  frame: FrameIndexSchema,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  masks: z.array(RestMaskSchema),
});
export type FrameMasksResponse = z.infer<typeof FrameMasksResponseSchema>;

/** A mask list format of `GET …/frames/:n/masks`. */
export const MaskListFormatSchema = z.enum(['rle', 'png']);

// ── seed-003 compatibility (snake_case, as its clients send and read them) ───────────────────────

const seedFrame = z
  .number({ error: 'frame_idx must be a number' })
  .int({ error: 'frame_idx must be a whole number' })
  .nonnegative({ error: 'frame_idx must be ≥ 0' });

/** A seed-003 click: frame pixels, label 1 (object) or 0 (not the object). */
export const SeedPointSchema = z.object({
  x: z.number({ error: 'x must be a number' }).finite(),
  y: z.number({ error: 'y must be a number' }).finite(),
  label: PointLabelSchema.default(1),
});

/** `POST /annotate-frame/{session_id}` and `POST /refine-mask/{session_id}` body. */
export const SeedAnnotateBodySchema = z.object({
  frame_idx: seedFrame,
  points: z.array(SeedPointSchema).min(1, { error: 'points needs at least one {x, y, label}' }).max(64),
  obj_id: ObjectIdSchema.optional(),
});
export type SeedAnnotateBody = z.infer<typeof SeedAnnotateBodySchema>;

/** `POST /propagate/{session_id}` body; `end_frame` before `start_frame` tracks backward. */
export const SeedPropagateBodySchema = z.object({
  session_id: z.string().optional(),
  start_frame: seedFrame.default(0),
  /** Default: the last frame. */
  end_frame: seedFrame.optional(),
  obj_id: ObjectIdSchema.optional(),
});
export type SeedPropagateBody = z.infer<typeof SeedPropagateBodySchema>;

/** A seed-003 mask: COCO RLE with area and bbox. */
export const SeedMaskSchema = z.object({
  size: z.tuple([z.number().int(), z.number().int()]),
  counts: z.string(),
  area: z.number().int().nonnegative(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

/** `POST /upload-video` answer. */
export const SeedUploadResponseSchema = z.object({
  session_id: z.string(),
  frame_count: z.number().int().positive(),
  fps: z.number().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  duration: z.number().nonnegative(),
  status: z.string(),
  /** Roto's addition: the owner token (send it as `Authorization: Bearer …` when AUTH_MODE=token). */
  owner_token: z.string().optional(),
});

/** `POST /annotate-frame` and `POST /refine-mask` answer. */
export const SeedAnnotateResponseSchema = z.object({
  success: z.literal(true),
  session_id: z.string(),
  frame_idx: z.number().int(),
  obj_id: ObjectIdSchema,
  mask: SeedMaskSchema,
  mask_area: z.number().int().nonnegative(),
  points_count: z.number().int().positive(),
});

/** `POST /propagate` answer (sent once the propagation has ended). */
export const SeedPropagateResponseSchema = z.object({
  success: z.boolean(),
  session_id: z.string(),
  job_id: z.string(),
  status: JobStatusNameSchema,
  start_frame: z.number().int(),
  end_frame: z.number().int(),
  obj_ids: z.array(ObjectIdSchema),
  frames_processed: z.number().int().nonnegative(),
});
