import {
  DecodedFramesSchema,
  ErrorBodySchema,
  IngestStatusSchema,
  MediaInfoSchema,
  MediaSourceSchema,
  RotoError,
  StoredThumbnailsSchema,
} from '@roto/shared';
import { z } from 'zod';
import type { BlobArea } from '../storage/blob-area.ts';

/**
 * What ingest knows about a session, kept as a small JSON blob next to the frames. The op log
 * holds the same facts durably (`session:created`, `ingested`, `ingest:failed`) for the session
 * layer; this copy lets the REST API list and describe sessions without opening their logs
 * (opening would keep them from expiring, and would race the session layer's own use of them).
 */
export const SessionMetaSchema = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  source: MediaSourceSchema,
  container: z.string(),
  media: MediaInfoSchema,
  status: IngestStatusSchema,
  /** The kept source file's blob name (videos), e.g. `source/original.mp4`. */
  sourceBlob: z.string().optional(),
  frames: DecodedFramesSchema.optional(),
  thumbnails: StoredThumbnailsSchema.optional(),
  error: ErrorBodySchema.optional(),
});

/** A session's ingest metadata. */
export type SessionMeta = z.infer<typeof SessionMetaSchema>;

/** Blob names of everything ingest writes into a session's blob area. */
export const BLOBS = Object.freeze({
  meta: 'ingest.json',
  frames: 'frames',
  thumbs: 'thumbs',
  source: 'source',
});

/** Writes the metadata blob (atomically: a reader sees the old or the new one). */
export async function writeMeta(blobs: BlobArea, sessionId: string, meta: SessionMeta): Promise<void> {
  await blobs.write(sessionId, BLOBS.meta, Buffer.from(JSON.stringify(meta)));
}

/**
 * Reads a session's metadata. NOT_FOUND when the session does not exist or was not made by
 * ingest (it has no media to show).
 */
export async function readMeta(blobs: BlobArea, sessionId: string): Promise<SessionMeta> {
  let raw: Buffer;
  try {
    raw = await blobs.read(sessionId, BLOBS.meta);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'NOT_FOUND') throw sessionNotFound(sessionId);
    throw err;
  }
  return SessionMetaSchema.parse(JSON.parse(raw.toString('utf8')));
}

/** The error for an id that names no session. */
export function sessionNotFound(sessionId: string): RotoError {
  return new RotoError(
    'NOT_FOUND',
    `There is no session "${sessionId}" (it may have expired or been deleted).`,
    {
      sessionId,
    },
  );
}
