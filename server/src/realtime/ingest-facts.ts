/**
 * Sessions still being ingested, in rooms: a join is answered with an `ingesting` snapshot (media
 * as probed, nothing else yet) instead of CONFLICT, and ingest's progress, end and failure reach
 * the session's broadcast room as `ingest:progressed`, `ingest:finished` and `ingest:failed`.
 * Commands keep answering CONFLICT (the session layer cannot load a session without frames)
 * until the client joins again after `ingest:finished`.
 */
import type { IngestProgress, JoinAck, SessionNoticeFact } from '@roto/shared';
import type { Server } from 'socket.io';
import type { IngestEvents } from '../ingest/events.ts';
import { metaOrNull } from '../ingest/session-views.ts';
import type { SessionStore } from '../storage/index.ts';

/** What the realtime layer needs from ingest. */
export interface IngestView {
  events: IngestEvents;
  /** Latest progress of a running decode (absent before the first report or when none runs). */
  progressOf?(sessionId: string): Omit<IngestProgress, 'sessionId'> | undefined;
}

/** The broadcast room of a session (same naming as `attach.ts`). */
type RoomOf = (sessionId: string) => string;

/**
 * The join ack for a session whose media is still being decoded, or null when it is not (ready,
 * failed, unknown, or not made by ingest): the caller then loads it as usual.
 */
export async function ingestingJoinAck(
  store: SessionStore,
  ingest: IngestView | undefined,
  sessionId: string,
  participantId: string,
  role: JoinAck['role'],
): Promise<JoinAck | null> {
  if (!ingest) return null;
  const meta = await metaOrNull(store, sessionId);
  if (meta?.status !== 'ingesting') return null;
  const progress = ingest.progressOf?.(sessionId);
  return {
    participantId,
    role,
    snapshot: {
      sessionId,
      media: meta.media,
      objects: [],
      prompts: [],
      masks: [],
      participants: [],
      jobs: [],
      seq: 0,
      status: 'ingesting',
      ...(progress ? { ingest: progress } : {}),
    },
    catchUp: { status: 'reset' },
  };
}

/** True once the session's ingest has ended (ready or failed) since `ingestingJoinAck` looked. */
export async function ingestEnded(store: SessionStore, sessionId: string): Promise<SessionNoticeFact | null> {
  const meta = await metaOrNull(store, sessionId);
  if (!meta || meta.status === 'ingesting') return null;
  if (meta.status === 'failed')
    return { type: 'ingest:failed', error: meta.error ?? { code: 'INTERNAL', message: 'Internal error' } };
  if (!meta.frames) return null;
  return { type: 'ingest:finished', media: meta.media, frames: meta.frames };
}

/** Forwards ingest's events to the sessions' rooms; returns the unsubscribe function. */
export function forwardIngestFacts(io: Server, events: IngestEvents, roomOf: RoomOf): () => void {
  const emit = (sessionId: string, fact: SessionNoticeFact, volatile = false) => {
    const target = volatile ? io.to(roomOf(sessionId)).volatile : io.to(roomOf(sessionId));
    target.emit(fact.type, fact);
  };
  const offs = [
    events.on('progressed', ({ sessionId, phase, done, total, fps }) =>
      emit(
        sessionId,
        { type: 'ingest:progressed', phase, done, total, ...(fps !== undefined ? { fps } : {}) },
        true,
      ),
    ),
    events.on('finished', ({ sessionId, media, frames }) =>
      emit(sessionId, { type: 'ingest:finished', media, frames }),
    ),
    events.on('failed', ({ sessionId, error }) => emit(sessionId, { type: 'ingest:failed', error })),
  ];
  return () => {
    for (const off of offs) off();
  };
}
