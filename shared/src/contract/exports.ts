import { z } from 'zod';
import { MediaKindSchema } from './media.ts';
import { ErrorBodySchema } from './result.ts';

/**
 * Exports: the REST bodies of the export jobs API (`/api/v1/export-formats`,
 * `/api/v1/sessions/:id/exports…`) and the `export:*` notices the server sends to a session's
 * room while a job runs. Like the other session notices they carry no `seq` and are never stored:
 * a joiner reads where exports stand with `GET …/exports` (the SDK's `listExports`), then follows
 * the notices. Every notice but `export:progressed` carries the whole job, so a client can upsert
 * by `jobId` whatever order the list and the notices arrive in.
 */

/** Every export format id, in the order a menu shows them (the server's registry is checked against it). */
export const EXPORT_FORMAT_IDS = [
  'overlay-mp4',
  'mask-mp4',
  'davis-png-zip',
  'coco-json',
  'ytvis-json',
  'yolo-seg-zip',
  'cutout-png-zip',
  'cutout-webm',
  'mask-png',
  'cutout-png',
] as const;

/** One of the export formats. */
export const ExportFormatIdSchema = z.enum(EXPORT_FORMAT_IDS);
export type ExportFormatId = z.infer<typeof ExportFormatIdSchema>;

/** A format as `GET /api/v1/export-formats` lists it. */
export const ExportFormatInfoSchema = z.object({
  id: ExportFormatIdSchema,
  /** For menus, e.g. "Overlay video (MP4)". */
  label: z.string(),
  /** File extension without the dot. */
  extension: z.string(),
  mime: z.string(),
  /** The session kinds it applies to. */
  kinds: z.array(MediaKindSchema),
});
export type ExportFormatInfo = z.infer<typeof ExportFormatInfoSchema>;

/** `GET /api/v1/export-formats`. */
export const ExportFormatListSchema = z.object({ formats: z.array(ExportFormatInfoSchema) });
export type ExportFormatList = z.infer<typeof ExportFormatListSchema>;

/** Most objects one export may select. */
export const MAX_EXPORT_OBJECTS = 256;

/**
 * Body of `POST /api/v1/sessions/:id/exports`. `format` is any string here so that an unknown
 * one is NOT_FOUND naming the formats there are, not a schema error; `objectIds` selects objects
 * in that order (default: all).
 */
export const StartExportBodySchema = z.strictObject({
  format: z.string().min(1).max(64),
  objectIds: z.array(z.number().int().positive()).min(1).max(MAX_EXPORT_OBJECTS).optional(),
});
export type StartExportBody = z.infer<typeof StartExportBodySchema>;

/** How far a running export is: `done` of `total` units (frames, or frames × objects). */
export const ExportProgressSchema = z.object({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Units per second since the job started running. */
  fps: z.number().nonnegative().optional(),
  /** Seconds left at that rate. */
  etaSec: z.number().nonnegative().optional(),
});
export type ExportProgress = z.infer<typeof ExportProgressSchema>;

/** A finished export's file. */
export const ExportFileSchema = z.object({
  bytes: z.number().int().nonnegative(),
  mime: z.string(),
  /** The download name, e.g. `my-clip-overlay.mp4`. */
  fileName: z.string(),
  /** Where to download it (a path on the server: `…/exports/:jobId/file`). */
  url: z.string(),
});
export type ExportFile = z.infer<typeof ExportFileSchema>;

/** Where a job is. */
export const ExportJobStatusSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('queued') }),
  z.object({ state: z.literal('running'), progress: ExportProgressSchema }),
  z.object({ state: z.literal('finished'), file: ExportFileSchema }),
  z.object({ state: z.literal('failed'), error: ErrorBodySchema }),
  z.object({ state: z.literal('cancelled'), reason: z.string() }),
]);
export type ExportJobStatus = z.infer<typeof ExportJobStatusSchema>;

/** An export job as the REST API and the notices show it. */
export const ExportJobSchema = z.object({
  jobId: z.string(),
  sessionId: z.string(),
  format: ExportFormatIdSchema,
  objectIds: z.array(z.number().int().positive()).optional(),
  createdAt: z.string(),
  /**
   * What the export was computed from: a content hash of the format, the selection and the
   * session's mask index (object ids, names, colours; per frame each mask's version and
   * presence). The same request on an unchanged session has the same key and reuses the file.
   */
  cacheKey: z.string(),
  status: ExportJobStatusSchema,
});
export type ExportJob = z.infer<typeof ExportJobSchema>;

/** `GET /api/v1/sessions/:id/exports`: the session's jobs, oldest first. */
export const ExportJobListSchema = z.object({ exports: z.array(ExportJobSchema) });
export type ExportJobList = z.infer<typeof ExportJobListSchema>;

/**
 * Answer of `POST …/exports`: the job, and `reused: true` (HTTP 200) when an identical export of
 * the unchanged session was already finished, queued or running, instead of a new job (HTTP 202).
 */
export const StartExportResponseSchema = ExportJobSchema.extend({ reused: z.boolean() });
export type StartExportResponse = z.infer<typeof StartExportResponseSchema>;

// ── notices ──────────────────────────────────────────────────────────────────────────────────────

/** `export:started`: someone in the session started an export (the job is queued). */
export const ExportStartedFactSchema = z.object({ type: z.literal('export:started'), job: ExportJobSchema });

/**
 * `export:progressed` (volatile, at most a few a second per job): `counter` rises with every
 * notice of the job, so a client ignores one older than what it has shown.
 */
export const ExportProgressedFactSchema = z.object({
  type: z.literal('export:progressed'),
  jobId: z.string(),
  format: ExportFormatIdSchema,
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  fps: z.number().nonnegative(),
  etaSec: z.number().nonnegative(),
  counter: z.number().int().positive(),
});

/** `export:finished`: the file is ready at `url` (relative to the server), `bytes` long. */
export const ExportFinishedFactSchema = z.object({
  type: z.literal('export:finished'),
  job: ExportJobSchema,
  url: z.string(),
  bytes: z.number().int().nonnegative(),
  fileName: z.string(),
});

/** `export:failed`: the export could not be written; nothing of it is left on disk. */
export const ExportFailedFactSchema = z.object({
  type: z.literal('export:failed'),
  job: ExportJobSchema,
  error: ErrorBodySchema,
});

/** `export:cancelled`: a participant cancelled it, or the server is shutting down. */
export const ExportCancelledFactSchema = z.object({
  type: z.literal('export:cancelled'),
  job: ExportJobSchema,
  reason: z.string(),
});

export type ExportStartedFact = z.infer<typeof ExportStartedFactSchema>;
export type ExportProgressedFact = z.infer<typeof ExportProgressedFactSchema>;
export type ExportFinishedFact = z.infer<typeof ExportFinishedFactSchema>;
export type ExportFailedFact = z.infer<typeof ExportFailedFactSchema>;
export type ExportCancelledFact = z.infer<typeof ExportCancelledFactSchema>;

/** Every export notice. */
export type ExportNoticeFact =
  | ExportStartedFact
  | ExportProgressedFact
  | ExportFinishedFact
  | ExportFailedFact
  | ExportCancelledFact;

/** Schemas of the export notices, by event name (for clients that parse what they receive). */
export const EXPORT_NOTICE_SCHEMAS: {
  readonly [K in ExportNoticeFact['type']]: z.ZodType<Extract<ExportNoticeFact, { type: K }>>;
} = {
  'export:started': ExportStartedFactSchema,
  'export:progressed': ExportProgressedFactSchema,
  'export:finished': ExportFinishedFactSchema,
  'export:failed': ExportFailedFactSchema,
  'export:cancelled': ExportCancelledFactSchema,
};

/** Socket.IO events of the export notices (server → client). */
export type ExportNoticeEvents = {
  [K in ExportNoticeFact['type']]: (fact: Extract<ExportNoticeFact, { type: K }>) => void;
};

// ── paths ────────────────────────────────────────────────────────────────────────────────────────

/** The REST path of a session's exports. */
export function exportsPath(sessionId: string): string {
  return `/api/v1/sessions/${encodeURIComponent(sessionId)}/exports`;
}

/** The REST path of a finished export's file (Range, ETag and `Content-Disposition: attachment`). */
export function exportFilePath(sessionId: string, jobId: string): string {
  return `${exportsPath(sessionId)}/${encodeURIComponent(jobId)}/file`;
}
