import type { RotoError } from '../contract/errors.ts';
import type { Fact, JoinAck, Participant, SessionSnapshot, User } from '../contract/events.ts';
import type { ExportNoticeEvents } from '../contract/exports.ts';
import type { IngestFailedFact, IngestFinishedFact, IngestProgressedFact } from '../contract/notices.ts';
import type { JoinKind } from './fact-sequencer.ts';
import type { RateLimits } from './pacer.ts';
import type { AccessEnded } from './session-notices.ts';

/**
 * Where a client's connection stands:
 * - `connecting`: the first connection and join are in progress;
 * - `connected`: joined; commands are sent at once;
 * - `reconnecting`: the connection dropped and the client is getting it back; commands queue;
 * - `offline`: the client stopped (closed, or the server refused the session); commands fail;
 * - `revoked`: the link or token it joined with was revoked or expired (R20); the client stopped
 *   and does not reconnect, commands fail with UNAUTHORIZED, and the `revoked` event says why.
 *
 * `offline` and `revoked` are final: connect a new client to come back (with another token).
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'revoked';

/** How to reach and join a session. */
export interface ConnectOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080` (Socket.IO is at `/socket.io/` on it). */
  url: string;
  sessionId: string;
  /** Access token checked by the server's `authorize` hook, when it has one. */
  token?: string;
  /** How the other participants see this one. */
  user: User;
  /**
   * Stable id of this client across reconnects: undo/redo history belongs to it (R15). Generated
   * per `RotoClient` when absent; pass your own to keep history across page reloads.
   */
  clientId?: string;
  /** Socket.IO path on the server. Default `/socket.io`. */
  path?: string;
  /** Socket.IO transports, tried in this order until one works. Default `['websocket', 'polling']`. */
  transports?: Array<'websocket' | 'polling'>;
  /** How long a sent command waits for its ack before failing with TIMEOUT. Default 120 000. */
  commandTimeoutMs?: number;
  /** Most unanswered commands (queued while offline or in flight); beyond it commands fail with BUSY. Default 1000. */
  maxPendingCommands?: number;
  /** How long `connect` waits for the first join. Default 30 000. */
  connectTimeoutMs?: number;
  /** First delay before a reconnection attempt; doubles up to `reconnectionDelayMaxMs`. Default 500. */
  reconnectionDelayMs?: number;
  /** Longest delay between reconnection attempts. Default 5000. */
  reconnectionDelayMaxMs?: number;
  /**
   * The server's per-connection rate limit (its `RATE_LIMIT_COMMANDS_PER_SEC` and
   * `RATE_LIMIT_BURST`, R21): every command is paced to stay within it, so a burst or the replay
   * of the offline queue after a reconnect is not refused, and commands are pipelined.
   * Default: not known. The client then paces to the server defaults (20/s, burst 40) and, to
   * keep order should a send be refused, sends a command on an object only once the previous one
   * on that object is answered (undo, redo and propagation wait for everything before them),
   * until the first RATE_LIMITED answer tells it the real limit. `false`: no pacing, and that
   * ordering always (RATE_LIMITED answers are still retried).
   */
  rateLimit?: RateLimits | false;
  /**
   * How many times a command refused with RATE_LIMITED is sent again (after the server's
   * `retryAfterMs`, with jitter) before it fails with that RATE_LIMITED. Default 5.
   */
  rateLimitRetries?: number;
}

/** What the client learnt from a (re)join. */
export interface JoinedInfo {
  /**
   * `initial` (first join), `resumed` (missed facts follow as events, nothing to rebuild) or
   * `reset` (the server could not replay what was missed: rebuild your state from `snapshot`
   * and `fetchMasks`).
   */
  kind: JoinKind;
  snapshot: SessionSnapshot;
  participantId: string;
  role: JoinAck['role'];
  participants: Participant[];
}

/** A fact listener, by fact type. */
export type FactListeners = { [K in Fact['type']]: (fact: Extract<Fact, { type: K }>) => void };

/**
 * Every event a `RotoClient` emits: one per fact type (durable facts exactly once and in `seq`
 * order, volatile ones as they come), plus the client's own:
 * - `state`: the connection state changed;
 * - `joined`: a join (first or re-) completed; fires before that join's catch-up facts;
 * - `error`: the client stopped for good (`offline` or `revoked`) because of this error, or the
 *   server sent something this client cannot read;
 * - `revoked`: the link or token this client joined with was revoked or expired (state `revoked`);
 * - `export:started`, `export:progressed`, `export:finished`, `export:failed`,
 *   `export:cancelled`: exports of the session, whoever started them (R23);
 * - `ingest:progressed`, `ingest:finished`, `ingest:failed`: the media of a session joined while
 *   still being ingested (R22). After `ingest:finished` the client joins again by itself: `joined`
 *   follows with the ready snapshot (kind `reset`). After `ingest:failed` the client is `offline`.
 */
export type RotoClientEvents = FactListeners & {
  state: (state: ConnectionState, previous: ConnectionState) => void;
  joined: (info: JoinedInfo) => void;
  error: (error: RotoError) => void;
  revoked: (info: AccessEnded) => void;
  'ingest:progressed': (fact: IngestProgressedFact) => void;
  'ingest:finished': (fact: IngestFinishedFact) => void;
  'ingest:failed': (fact: IngestFailedFact) => void;
} & ExportNoticeEvents;
