import { INGEST_RECORD_TYPES, type IngestedRecord, toFailure } from '@roto/shared';
import type { Logger } from '../observability/logger.ts';
import type { SessionStore } from '../storage/session-store.ts';
import type { IngestEvents } from './events.ts';
import { BLOBS, type SessionMeta, writeMeta } from './session-meta.ts';

/** What recording an ingest outcome touches. */
export interface OutcomeDeps {
  store: SessionStore;
  events: IngestEvents;
  logger: Logger;
}

/**
 * Records a finished ingest: the `ingested` record (durable: the session layer loads from it),
 * then the metadata the REST API reads, then `finished` for the room. The log is closed after:
 * ingest is done with it, and an open session never expires.
 */
export async function recordReady(
  { store, events, logger }: OutcomeDeps,
  sessionId: string,
  meta: SessionMeta,
  record: IngestedRecord,
): Promise<void> {
  await store.append(sessionId, { type: INGEST_RECORD_TYPES.ingested, payload: record });
  await writeMeta(store.blobs, sessionId, {
    ...meta,
    status: 'ready',
    media: record.media,
    frames: record.frames,
    thumbnails: record.thumbnails,
  });
  logger.info('session ingested', { sessionId, frames: record.frames.count });
  events.emit('finished', { sessionId, media: record.media, frames: record.frames });
  await store.close(sessionId);
}

/**
 * Records a failed ingest: removes the frames, thumbnails and source copy, appends
 * `ingest:failed` with the error a user sees (INTERNAL errors get the fixed message; their
 * detail goes to the log only), marks the metadata failed and publishes `failed`.
 */
export async function recordFailure(
  { store, events, logger }: OutcomeDeps,
  sessionId: string,
  meta: SessionMeta,
  err: unknown,
): Promise<void> {
  const { error } = toFailure(err);
  if (error.code === 'INTERNAL') logger.error('ingest failed', { sessionId, err });
  else logger.info('ingest failed', { sessionId, code: error.code, message: error.message });
  await Promise.all(
    [BLOBS.frames, BLOBS.thumbs, BLOBS.source].map((name) => store.blobs.remove(sessionId, name)),
  );
  await store.append(sessionId, { type: INGEST_RECORD_TYPES.failed, payload: { error } });
  const { sourceBlob: _dropped, ...rest } = meta;
  await writeMeta(store.blobs, sessionId, { ...rest, status: 'failed', error });
  events.emit('failed', { sessionId, error });
  await store.close(sessionId);
}
