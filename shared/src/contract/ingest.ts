import { z } from 'zod';
import { MediaInfoSchema } from './media.ts';
import { ErrorBodySchema } from './result.ts';

/**
 * Making a session from media: the ingest progress facts pushed to a session's room, the records
 * ingest appends to the session's log, and the REST bodies of `/api/v1/sessions`.
 */

/** What ingest is doing: receiving the bytes, reading the container, decoding frames, building thumbnails. */
export const IngestPhaseSchema = z.enum(['upload', 'probe', 'decode', 'thumbnails']);

/** An ingest phase. */
export type IngestPhase = z.infer<typeof IngestPhaseSchema>;

/**
 * `ingest:progressed`: `done` of `total` units of the phase (bytes for `upload`, frames for
 * `decode`, 0/1 then 1/1 for `probe` and `thumbnails`). During `upload` the session does not exist
 * yet: the id is the one it will have, so only server-side listeners can see those events.
 */
export const IngestProgressSchema = z.object({
  sessionId: z.string(),
  phase: IngestPhaseSchema,
  done: z.number().nonnegative(),
  /** 0 while unknown (an upload without a declared length). */
  total: z.number().nonnegative(),
  /** Decoding speed in frames per second, during `decode`. */
  fps: z.number().nonnegative().optional(),
});

/** An ingest progress fact. */
export type IngestProgress = z.infer<typeof IngestProgressSchema>;

/** Where the decoded frames are: `<dir>/00000.jpg`… in the session's blob area, all `width`×`height`. */
export const DecodedFramesSchema = z.object({
  dir: z.string(),
  count: z.number().int().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

/** The decoded frames of a session. */
export type DecodedFrames = z.infer<typeof DecodedFramesSchema>;

/** The timeline thumbnail strip: one sprite JPEG and the tile each sampled frame occupies in it. */
export const ThumbnailIndexSchema = z.object({
  version: z.literal(1),
  /** The sprite's file name inside `dir`. */
  sprite: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  tileWidth: z.number().int().positive(),
  tileHeight: z.number().int().positive(),
  columns: z.number().int().positive(),
  rows: z.number().int().positive(),
  tiles: z.array(z.object({ frame: z.number().int().nonnegative(), x: z.number(), y: z.number() })),
});

/** A thumbnail strip's index. */
export type ThumbnailIndex = z.infer<typeof ThumbnailIndexSchema>;

/** The thumbnail strip as stored: its index plus the blob folder holding the sprite. */
export const StoredThumbnailsSchema = ThumbnailIndexSchema.extend({ dir: z.string() });

/** Stored thumbnails. */
export type StoredThumbnails = z.infer<typeof StoredThumbnailsSchema>;

/** Where a session's media came from. */
export const MediaSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('upload'), fileName: z.string().optional() }),
  z.object({ kind: z.literal('image') }),
  z.object({ kind: z.literal('url'), url: z.string() }),
]);

/** A session's media source. */
export type MediaSource = z.infer<typeof MediaSourceSchema>;

/** Log record `session:created`, the first of every ingested session: the probed media. */
export const SessionCreatedRecordSchema = z.object({
  media: MediaInfoSchema,
  source: MediaSourceSchema,
  /** The sniffed container, e.g. `mp4`, `png`. */
  container: z.string(),
});

/** Payload of `session:created`. */
export type SessionCreatedRecord = z.infer<typeof SessionCreatedRecordSchema>;

/** Log record `ingested`: the session is ready; frames and thumbnails are in its blob area. */
export const IngestedRecordSchema = z.object({
  media: MediaInfoSchema,
  frames: DecodedFramesSchema,
  thumbnails: StoredThumbnailsSchema,
});

/** Payload of `ingested`. */
export type IngestedRecord = z.infer<typeof IngestedRecordSchema>;

/** Log record `ingest:failed`: nothing was kept but the session and this reason. */
export const IngestFailedRecordSchema = z.object({ error: ErrorBodySchema });

/** Payload of `ingest:failed`. */
export type IngestFailedRecord = z.infer<typeof IngestFailedRecordSchema>;

/** The record types ingest appends, by name. */
export const INGEST_RECORD_TYPES = Object.freeze({
  created: 'session:created',
  ingested: 'ingested',
  failed: 'ingest:failed',
} as const);

/** Where a session's ingest stands. */
export const IngestStatusSchema = z.enum(['ingesting', 'ready', 'failed']);

/** `ingesting`, `ready` or `failed`. */
export type IngestStatus = z.infer<typeof IngestStatusSchema>;

/** `201` body of `POST /api/v1/sessions`. */
export const SessionCreatedSchema = z.object({
  sessionId: z.string(),
  media: MediaInfoSchema,
  status: IngestStatusSchema,
});

/** Body of a created session. */
export type SessionCreated = z.infer<typeof SessionCreatedSchema>;

/**
 * `POST /api/v1/sessions` with a JSON body: exactly one of `image` (base64 or a data URL: a
 * one-frame session) or `url` (an http(s) video or image the server downloads).
 */
export const CreateSessionJsonSchema = z
  .strictObject({
    image: z.string().min(1, { error: 'image must not be empty' }).optional(),
    url: z
      .url({ protocol: /^https?$/, error: 'url must be an http(s) URL' })
      .max(2048, { error: 'url must be at most 2048 characters' })
      .optional(),
  })
  .refine((body) => (body.image === undefined) !== (body.url === undefined), {
    error: 'send exactly one of "image" (base64 or a data URL) or "url" (http or https)',
  });

/** A JSON session-creation request. */
export type CreateSessionJson = z.infer<typeof CreateSessionJsonSchema>;

/** Disk use of one session, in bytes. */
export const SessionDiskUsageSchema = z.object({
  totalBytes: z.number().int().nonnegative(),
  blobBytes: z.number().int().nonnegative(),
  logBytes: z.number().int().nonnegative(),
  snapshotBytes: z.number().int().nonnegative(),
});

/** A session as `GET /api/v1/sessions/:id` shows it. */
export const SessionDetailsSchema = z.object({
  sessionId: z.string(),
  status: IngestStatusSchema,
  media: MediaInfoSchema,
  source: MediaSourceSchema,
  createdAt: z.string(),
  /** Present once ready. */
  frames: DecodedFramesSchema.optional(),
  /** While ingesting: the latest progress. */
  progress: IngestProgressSchema.omit({ sessionId: true }).optional(),
  /** When failed: why. */
  error: ErrorBodySchema.optional(),
  disk: SessionDiskUsageSchema,
  /** Relative URLs of the session's resources. */
  links: z.object({
    self: z.string(),
    frames: z.string(),
    thumbnails: z.string(),
    sprite: z.string(),
  }),
});

/** A session's details. */
export type SessionDetails = z.infer<typeof SessionDetailsSchema>;

/** One entry of `GET /api/v1/sessions`, most recently active first. */
export const SessionListItemSchema = z.object({
  sessionId: z.string(),
  status: IngestStatusSchema,
  media: MediaInfoSchema,
  createdAt: z.string(),
  lastActivityAt: z.string(),
  /** The poster frame (frame 0), once decoded. */
  posterUrl: z.string().optional(),
  /** The thumbnail sprite, once built. */
  spriteUrl: z.string().optional(),
});

/** `GET /api/v1/sessions` body. */
export const SessionListSchema = z.object({ sessions: z.array(SessionListItemSchema) });

/** A session list. */
export type SessionList = z.infer<typeof SessionListSchema>;
