/**
 * Restoring a room: the latest store snapshot plus a replay of every later record (ingest records,
 * then the facts records of the session layer). The engine's memory banks are not restored here;
 * they are rebuilt from the stored prompts when a command first needs them.
 */

import {
  INGEST_RECORD_TYPES,
  type IngestedRecord,
  IngestedRecordSchema,
  RotoError,
  unpackBinary,
} from '@roto/shared';
import type { RgbImage, VideoFrames } from '../inference/engine.ts';
import { frameFileName, readFrameRgb } from '../media/decode.ts';
import type { SessionStore } from '../storage/index.ts';
import { decodeFactsRecord, FACTS_RECORD_TYPE } from './records.ts';
import { type RoomDeps, SessionRoom } from './room.ts';
import { SessionState, type StateSnapshot } from './state.ts';

/** The decoded frames of a session, read from its blob area (the engine caches their embeddings). */
export function blobFrames(store: SessionStore, sessionId: string, ingested: IngestedRecord): VideoFrames {
  const { dir, count, width, height } = ingested.frames;
  return {
    id: `session:${sessionId}`,
    frameCount: count,
    width,
    height,
    async getFrame(index: number): Promise<RgbImage> {
      const path = await store.blobs.prepare(sessionId, `${dir}/${frameFileName(index)}`);
      return readFrameRgb(path);
    },
  };
}

function isStateSnapshot(v: unknown): v is StateSnapshot {
  return typeof v === 'object' && v !== null && (v as StateSnapshot).kind === 'roto-session';
}

/** Loads a session from the store into a new room. NOT_FOUND, or CONFLICT while it is still being ingested. */
export async function loadRoom(deps: Omit<RoomDeps, 'frames'>): Promise<SessionRoom> {
  const { store, id } = deps;
  const loaded = await store.load(id);
  let state: SessionState | null = null;
  let savedHistory: StateSnapshot['history'];
  let ingested: IngestedRecord | null = null;
  let failed: string | null = null;
  const snap = loaded.snapshot;
  if (snap && isStateSnapshot(snap.payload)) {
    const payload = unpackBinary(
      snap.attachment ? { json: snap.payload, bin: snap.attachment } : { json: snap.payload },
    );
    state = SessionState.fromSnapshot(payload as StateSnapshot, snap.seq);
    savedHistory = (payload as StateSnapshot).history;
    ingested = { media: state.media, frames: state.frames } as IngestedRecord;
  }
  let room: SessionRoom | null = null;
  const ringBase = snap?.seq ?? 0;
  const pendingSkips: number[] = [];
  for (const record of loaded.records) {
    if (record.type === INGEST_RECORD_TYPES.ingested) {
      ingested = IngestedRecordSchema.parse(record.payload);
      state = new SessionState(ingested.media, ingested.frames);
      pendingSkips.push(record.seq);
      continue;
    }
    if (record.type === INGEST_RECORD_TYPES.failed) {
      failed = (record.payload as { error?: { message?: string } }).error?.message ?? 'ingest failed';
      continue;
    }
    if (record.type !== FACTS_RECORD_TYPE) {
      pendingSkips.push(record.seq);
      continue;
    }
    if (!state || !ingested)
      throw new RotoError('INTERNAL', `session ${id} has facts before its media was ingested`);
    if (!room) {
      room = new SessionRoom({ ...deps, frames: blobFrames(store, id, ingested) }, state, ringBase);
      if (savedHistory) room.restoreHistory(savedHistory);
    }
    for (const seq of pendingSkips.splice(0)) room.skipRecord(seq);
    room.applyRecord(decodeFactsRecord(record), record.seq);
  }
  if (!state || !ingested) {
    if (failed)
      throw new RotoError('CONFLICT', `Session ${id} could not be ingested: ${failed}`, { sessionId: id });
    throw new RotoError('CONFLICT', `Session ${id} is still being ingested; join once it is ready`, {
      sessionId: id,
    });
  }
  if (!room) {
    room = new SessionRoom({ ...deps, frames: blobFrames(store, id, ingested) }, state, ringBase);
    if (savedHistory) room.restoreHistory(savedHistory);
  }
  for (const seq of pendingSkips) room.skipRecord(seq);
  await room.jobs.endInterrupted();
  return room;
}
