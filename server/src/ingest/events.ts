import { EventEmitter } from 'node:events';
import type { DecodedFrames, ErrorBody, IngestProgress, MediaInfo } from '@roto/shared';

/** `finished`: the session is ready; its frames and thumbnails can be served. */
export interface IngestFinished {
  sessionId: string;
  media: MediaInfo;
  frames: DecodedFrames;
}

/** `failed`: ingest stopped; the session is kept, marked failed, with nothing but this reason. */
export interface IngestFailed {
  sessionId: string;
  error: ErrorBody;
}

/** `removed`: the session was deleted (by a user or by expiry); a room showing it should close. */
export interface SessionRemoved {
  sessionId: string;
  reason: 'deleted' | 'expired';
}

/** Every fact the ingest layer publishes, by event name. */
export interface IngestEventMap {
  progressed: IngestProgress;
  finished: IngestFinished;
  failed: IngestFailed;
  removed: SessionRemoved;
}

/**
 * Ingest facts as they happen, for the realtime layer to forward to the session's room
 * (`ingest:progressed`, …). Listeners run synchronously inside ingest: keep them cheap. A
 * listener that throws is cut off from that one event only; ingest and the other listeners go on.
 */
export class IngestEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open room is normal; the default warning at 10 would be noise.
    this.emitter.setMaxListeners(0);
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof IngestEventMap>(event: K, listener: (payload: IngestEventMap[K]) => void): () => void {
    const safe = (payload: IngestEventMap[K]) => {
      try {
        listener(payload);
      } catch {
        // A failing subscriber must not stop ingest or the other subscribers.
      }
    };
    this.emitter.on(event, safe);
    return () => this.emitter.off(event, safe);
  }

  /** Publishes a fact to every subscriber. */
  emit<K extends keyof IngestEventMap>(event: K, payload: IngestEventMap[K]): void {
    this.emitter.emit(event, payload);
  }
}
