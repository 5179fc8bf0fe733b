import { join } from 'node:path';
import { RotoError, type SessionDetails, type SessionList, type StoredThumbnails } from '@roto/shared';
import { frameFileName } from '../media/decode.ts';
import type { SessionStore } from '../storage/session-store.ts';
import type { IngestService } from './ingest-service.ts';
import { BLOBS, readMeta, type SessionMeta, sessionNotFound } from './session-meta.ts';

/** Where the REST API lives; links in responses are relative to the server. */
export const SESSIONS_PATH = '/api/v1/sessions';

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Validates a session id from a URL (no dots or slashes can reach the file system). */
export function parseSessionId(raw: string): string {
  if (!SESSION_ID.test(raw)) {
    throw new RotoError(
      'INVALID_INPUT',
      'A session id is 1–128 letters, digits, "_" or "-", starting with a letter or digit.',
      { sessionId: raw.slice(0, 200) },
    );
  }
  return raw;
}

/** Reads the metadata of a session, or null when it has none (not made by ingest, or gone). */
export async function metaOrNull(store: SessionStore, sessionId: string): Promise<SessionMeta | null> {
  try {
    return await readMeta(store.blobs, sessionId);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'NOT_FOUND') return null;
    throw err;
  }
}

function links(sessionId: string) {
  const self = `${SESSIONS_PATH}/${sessionId}`;
  return {
    self,
    frames: `${self}/frames/{n}`,
    thumbnails: `${self}/thumbnails`,
    sprite: `${self}/thumbnails/sprite.jpg`,
  };
}

/** `GET /api/v1/sessions/:id`: metadata, ingest status (with live progress) and disk use. */
export async function sessionDetails(
  store: SessionStore,
  ingest: IngestService,
  sessionId: string,
): Promise<SessionDetails> {
  const meta = await readMeta(store.blobs, parseSessionId(sessionId));
  const disk = await store.diskUsage(sessionId).catch((err: unknown) => {
    if ((err as { code?: unknown }).code === 'NOT_FOUND') throw sessionNotFound(sessionId);
    throw err;
  });
  const progress = ingest.progressOf(sessionId);
  return {
    sessionId,
    status: meta.status,
    media: meta.media,
    source: meta.source,
    createdAt: meta.createdAt,
    ...(meta.frames ? { frames: meta.frames } : {}),
    ...(meta.status === 'ingesting' && progress ? { progress } : {}),
    ...(meta.error ? { error: meta.error } : {}),
    disk: {
      totalBytes: disk.totalBytes,
      blobBytes: disk.blobBytes,
      logBytes: disk.logBytes,
      snapshotBytes: disk.snapshotBytes,
    },
    links: links(sessionId),
  };
}

/** `GET /api/v1/sessions`: sessions made by ingest, most recently active first. */
export async function listSessions(store: SessionStore, limit: number): Promise<SessionList> {
  const all = (await store.list()).sort((a, b) => b.lastActivityMs - a.lastActivityMs);
  const sessions: SessionList['sessions'] = [];
  for (const summary of all) {
    if (sessions.length >= limit) break;
    const meta = await metaOrNull(store, summary.id);
    if (!meta) continue;
    const l = links(summary.id);
    sessions.push({
      sessionId: summary.id,
      status: meta.status,
      media: meta.media,
      createdAt: meta.createdAt,
      lastActivityAt: new Date(summary.lastActivityMs).toISOString(),
      ...(meta.frames ? { posterUrl: l.frames.replace('{n}', '0') } : {}),
      ...(meta.thumbnails ? { spriteUrl: l.sprite } : {}),
    });
  }
  return { sessions };
}

/** Parses a frame index from a URL: a non-negative integer written plainly. */
export function parseFrameIndex(raw: string): number {
  const n = /^(0|[1-9]\d{0,8})$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new RotoError(
      'INVALID_INPUT',
      `The frame index must be a non-negative integer, not "${raw.slice(0, 40)}".`,
      {
        frame: raw.slice(0, 40),
      },
    );
  }
  return n;
}

/**
 * The file of frame `n`, checked against the session's state: out of range is NOT_FOUND; a frame
 * not decoded yet (or a session whose ingest failed) is CONFLICT, saying why.
 */
export async function frameFile(
  store: SessionStore,
  ingest: IngestService,
  sessionId: string,
  rawIndex: string,
): Promise<string> {
  const meta = await readMeta(store.blobs, parseSessionId(sessionId));
  const n = parseFrameIndex(rawIndex);
  const count = meta.frames?.count ?? meta.media.frameCount;
  if (n >= count) {
    throw new RotoError(
      'NOT_FOUND',
      `Frame ${n} does not exist: the session has ${count} frame${count === 1 ? '' : 's'} (0–${count - 1}).`,
      { frame: n, frameCount: count },
    );
  }
  if (meta.status === 'failed') {
    throw new RotoError(
      'CONFLICT',
      `The session has no frames: ingest failed (${meta.error?.message ?? 'unknown reason'}).`,
      {
        frame: n,
        status: 'failed',
      },
    );
  }
  if (meta.status === 'ingesting') {
    const progress = ingest.progressOf(sessionId);
    // ffmpeg reports a frame once it is handed to the muxer; the one before it is surely on disk.
    const safe = progress?.phase === 'decode' ? progress.done - 1 : progress ? count : 0;
    if (n >= safe) {
      throw new RotoError(
        'CONFLICT',
        `Frame ${n} is not decoded yet: ingest is running (${Math.max(0, progress?.phase === 'decode' ? progress.done : 0)} of ${count} frames decoded). Try again shortly.`,
        { frame: n, status: 'ingesting', progress },
      );
    }
  }
  return join(await store.blobs.prepare(sessionId, BLOBS.frames), frameFileName(n));
}

/** The thumbnail index and the sprite's path; CONFLICT while they are not built. */
export async function thumbnailsOf(
  store: SessionStore,
  sessionId: string,
): Promise<{ index: StoredThumbnails; spritePath: string }> {
  const meta = await readMeta(store.blobs, parseSessionId(sessionId));
  if (!meta.thumbnails) {
    const why =
      meta.status === 'failed'
        ? `ingest failed (${meta.error?.message ?? 'unknown reason'})`
        : 'ingest is running';
    throw new RotoError('CONFLICT', `The session has no thumbnails yet: ${why}.`, { status: meta.status });
  }
  const dir = await store.blobs.prepare(sessionId, meta.thumbnails.dir);
  return { index: meta.thumbnails, spritePath: join(dir, meta.thumbnails.sprite) };
}
