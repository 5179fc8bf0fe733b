import { z } from 'zod';
import { DecodedFramesSchema, IngestPhaseSchema } from './ingest.ts';
import { MediaInfoSchema } from './media.ts';
import { ErrorBodySchema } from './result.ts';

/**
 * Session notices: server → client facts about the session itself rather than its document —
 * access being withdrawn and media still being ingested. Like the volatile facts they carry no
 * `seq` and are never stored (the snapshot and `GET /api/v1/sessions/:id` say where things stand).
 */

/** Why a participant's access ended. */
export const AccessEndReasonSchema = z.enum(['revoked', 'expired']);

/**
 * `access:revoked`: the link (or token) this participant joined with was revoked or has expired;
 * the server disconnects the socket right after, and a rejoin with that token is UNAUTHORIZED.
 */
export const AccessRevokedFactSchema = z.object({
  type: z.literal('access:revoked'),
  linkId: z.string(),
  reason: AccessEndReasonSchema,
  message: z.string(),
});

/** `ingest:progressed`: decoding progress of a session joined while it is still being ingested. */
export const IngestProgressedFactSchema = z.object({
  type: z.literal('ingest:progressed'),
  phase: IngestPhaseSchema,
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  fps: z.number().nonnegative().optional(),
});

/** `ingest:finished`: the frames are ready; join again (`session:join`) for the editable snapshot. */
export const IngestFinishedFactSchema = z.object({
  type: z.literal('ingest:finished'),
  media: MediaInfoSchema,
  frames: DecodedFramesSchema,
});

/** `ingest:failed`: the media could not be decoded; the session stays unusable. */
export const IngestFailedFactSchema = z.object({
  type: z.literal('ingest:failed'),
  error: ErrorBodySchema,
});

export type AccessRevokedFact = z.infer<typeof AccessRevokedFactSchema>;
export type IngestProgressedFact = z.infer<typeof IngestProgressedFactSchema>;
export type IngestFinishedFact = z.infer<typeof IngestFinishedFactSchema>;
export type IngestFailedFact = z.infer<typeof IngestFailedFactSchema>;

/** Every session notice. */
export type SessionNoticeFact =
  | AccessRevokedFact
  | IngestProgressedFact
  | IngestFinishedFact
  | IngestFailedFact;

/** Schemas of the session notices, by event name (for clients that parse what they receive). */
export const SESSION_NOTICE_SCHEMAS: {
  readonly [K in SessionNoticeFact['type']]: z.ZodType<Extract<SessionNoticeFact, { type: K }>>;
} = {
  'access:revoked': AccessRevokedFactSchema,
  'ingest:progressed': IngestProgressedFactSchema,
  'ingest:finished': IngestFinishedFactSchema,
  'ingest:failed': IngestFailedFactSchema,
};

/** Where a joined session's media stands: `ready`, or `ingesting` with the latest progress. */
export const SnapshotIngestSchema = z.object({
  phase: IngestPhaseSchema,
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  fps: z.number().nonnegative().optional(),
});
