import { INGEST_RECORD_TYPES, type IngestedRecord, type MediaInfo, type MediaSource } from '@roto/shared';
import { reencodeImage } from '../media/image.ts';
import { buildThumbnailStrip } from '../media/thumbnails.ts';
import type { SessionStore } from '../storage/session-store.ts';
import type { IngestEvents } from './events.ts';
import { imageMediaInfo } from './media-info.ts';
import { BLOBS, writeMeta } from './session-meta.ts';

/** What making an image session touches. */
export interface ImageSessionDeps {
  store: SessionStore;
  events: IngestEvents;
  maxFrameSide: number;
}

const noop = () => {};

/**
 * Makes a ready one-frame session from image bytes, all at once (no background job: one
 * re-encode is quick): the image is re-encoded to `frames/00000.jpg` (metadata stripped, EXIF
 * orientation applied, pixel limit checked before decoding, long side capped), a one-tile
 * thumbnail strip is built, and `session:created` + `ingested` are appended. On failure the
 * session is removed again. Returns the image's media info.
 */
export async function ingestImageSession(
  deps: ImageSessionDeps,
  sessionId: string,
  bytes: Uint8Array,
  source: MediaSource,
): Promise<MediaInfo> {
  const { store } = deps;
  const image = await reencodeImage(bytes, { format: 'jpeg', maxLongSide: deps.maxFrameSide });
  const media = await imageMediaInfo(bytes);
  await store.create(sessionId);
  try {
    await store.blobs.write(sessionId, `${BLOBS.frames}/00000.jpg`, image.data);
    const framesDir = await store.blobs.prepare(sessionId, BLOBS.frames);
    const index = await buildThumbnailStrip(framesDir, 1, await store.blobs.prepare(sessionId, BLOBS.thumbs));
    const record: IngestedRecord = {
      media,
      frames: { dir: BLOBS.frames, count: 1, width: image.width, height: image.height },
      thumbnails: { ...index, dir: BLOBS.thumbs },
    };
    await store.append(sessionId, {
      type: INGEST_RECORD_TYPES.created,
      payload: { media, source, container: image.source },
    });
    await store.append(sessionId, { type: INGEST_RECORD_TYPES.ingested, payload: record });
    await writeMeta(store.blobs, sessionId, {
      version: 1,
      createdAt: new Date().toISOString(),
      source,
      container: image.source,
      media,
      status: 'ready',
      frames: record.frames,
      thumbnails: record.thumbnails,
    });
    await store.close(sessionId);
  } catch (err) {
    await store.remove(sessionId).catch(noop);
    throw err;
  }
  deps.events.emit('finished', {
    sessionId,
    media,
    frames: { dir: BLOBS.frames, count: 1, width: image.width, height: image.height },
  });
  return media;
}
