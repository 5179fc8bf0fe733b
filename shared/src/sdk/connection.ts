/**
 * A client's link to one session: the socket, joining and rejoining (with `lastSeq`, through
 * ingest, around rate limits), the connection state, and stopping for good. `RotoClient` is the
 * typed face over it.
 */
import { io, type Socket } from 'socket.io-client';
import { RotoError } from '../contract/errors.ts';
import {
  type ClientToServerEvents,
  type JoinAck,
  JoinAckSchema,
  type JoinCommand,
  type PresenceUpdate,
  type ServerToClientEvents,
} from '../contract/events.ts';
import { PROTOCOL_VERSION } from '../contract/protocol.ts';
import { resultSchema } from '../contract/result.ts';
import { CommandQueue } from './command-queue.ts';
import { Emitter } from './emitter.ts';
import { FactSequencer } from './fact-sequencer.ts';
import { type SocketOn, wireFacts } from './fact-wiring.ts';
import { randomId } from './ids.ts';
import { SERVER_DEFAULT_RATE_LIMITS, SendPacer } from './pacer.ts';
import {
  type AccessEnded,
  accessEndedByNotice,
  accessEndedByRefusal,
  ingestFailedError,
} from './session-notices.ts';
import type { ConnectionState, ConnectOptions, JoinedInfo, RotoClientEvents } from './types.ts';

/** Join refusals that retrying cannot fix: the client goes offline with the error. */
const PERMANENT_JOIN_ERRORS = new Set([
  'PROTOCOL_MISMATCH',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'INVALID_INPUT',
]);
const JoinResultSchema = resultSchema(JoinAckSchema);

/** The socket of one `RotoClient`, its joins, state, command queue and fact order. */
export class SessionConnection {
  /** The session this connection joins. */
  readonly sessionId: string;
  /** The id that owns the client's undo history (stable across reconnects). */
  readonly clientId: string;
  /** The client's events: facts in order, `state`, `joined`, `error`, `revoked`, `ingest:*`. */
  readonly events = new Emitter<RotoClientEvents>();
  /** Commands waiting for the connection, in flight, or being re-sent. */
  readonly queue: CommandQueue;
  /** Durable facts in `seq` order across reconnects. */
  readonly sequencer: FactSequencer;
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private current: ConnectionState = 'connecting';
  private joinInfo: JoinedInfo | undefined;
  /** Bumped on every connection and disconnection, so a late join ack of an old connection is ignored. */
  private connection = 0;
  private stoppedBy: RotoError | undefined;
  private presence: PresenceUpdate | undefined;
  private firstJoin: { resolve: () => void; reject: (err: RotoError) => void } | undefined;
  private readonly pacer: SendPacer;
  /** `ingest:finished` arrived: a join answered with an `ingesting` snapshot is out of date. */
  private ingestFinished = false;

  constructor(private readonly options: ConnectOptions) {
    this.sessionId = options.sessionId;
    this.clientId = options.clientId ?? randomId();
    this.socket = io(options.url, {
      path: options.path ?? '/socket.io',
      transports: options.transports ?? ['websocket', 'polling'],
      // WebSocket first (no upgrade dance), but fall back to long-polling where it is blocked.
      tryAllTransports: true,
      forceNew: true,
      autoConnect: false,
      reconnectionDelay: options.reconnectionDelayMs ?? 500,
      reconnectionDelayMax: options.reconnectionDelayMaxMs ?? 5000,
    });
    const send = (event: string, payload: unknown, onAck: (r: unknown) => void) =>
      (this.socket.emit as (e: string, p: unknown, a: (r: unknown) => void) => void)(event, payload, onAck);
    const limits = options.rateLimit;
    this.pacer = new SendPacer(
      limits === false ? null : { ...(limits ?? SERVER_DEFAULT_RATE_LIMITS) },
      limits !== undefined,
    );
    this.queue = new CommandQueue(
      {
        timeoutMs: options.commandTimeoutMs ?? 120_000,
        maxPending: options.maxPendingCommands ?? 1000,
        rateLimitRetries: options.rateLimitRetries ?? 5,
        pacer: this.pacer,
      },
      send,
    );
    this.sequencer = new FactSequencer((fact) =>
      (this.events.emit as (e: string, f: unknown) => void)(fact.type, fact),
    );
    this.wire();
  }

  /**
   * Connects and resolves once joined the first time; rejects as `stop` does, or with TIMEOUT
   * after `connectTimeoutMs`. The caller closes the connection when it rejects.
   */
  async open(): Promise<void> {
    const timeoutMs = this.options.connectTimeoutMs ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.firstJoin = { resolve, reject };
        timer = setTimeout(
          () =>
            reject(
              new RotoError(
                'TIMEOUT',
                `Could not join session ${this.options.sessionId} at ${this.options.url} within ${timeoutMs / 1000} s`,
              ),
            ),
          timeoutMs,
        );
        this.socket.connect();
      });
    } finally {
      clearTimeout(timer);
      this.firstJoin = undefined;
    }
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** What stopped the connection for good, if anything has. */
  get stopped(): RotoError | undefined {
    return this.stoppedBy;
  }

  /** True while the joined session's media is still being ingested (commands wait meanwhile). */
  get ingesting(): boolean {
    return this.joinInfo?.snapshot.status === 'ingesting';
  }

  /** The latest join; CONFLICT before the first. */
  joined(): JoinedInfo {
    if (!this.joinInfo) throw new RotoError('CONFLICT', 'The client has not joined the session yet');
    return this.joinInfo;
  }

  /** Merges a (validated) presence update into the state sent on every join; sends it now when connected. */
  updatePresence(update: PresenceUpdate): void {
    this.presence = { ...this.presence, ...update };
    if (this.current === 'connected') this.socket.emit('presence:update', update);
  }

  /**
   * Stops for good: unanswered commands fail with `error`, the socket disconnects, the state
   * becomes `state`, and (when `report`) an `error` event is emitted.
   */
  stop(error: RotoError, report = true, state: 'offline' | 'revoked' = 'offline'): void {
    if (this.stoppedBy) return;
    this.stoppedBy = error;
    this.connection += 1;
    this.queue.goOffline();
    this.queue.failAll(error);
    this.socket.disconnect();
    this.setState(state);
    if (report) this.events.emit('error', error);
    this.firstJoin?.reject(error);
  }

  private setState(next: ConnectionState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.events.emit('state', next, previous);
  }

  private wire(): void {
    const socket = this.socket;
    socket.on('connect', () => {
      // Every connection gets a full bucket on the server.
      this.pacer.reset();
      this.join();
    });
    socket.on('disconnect', (reason) => {
      this.connection += 1;
      this.sequencer.abortJoin();
      this.queue.goOffline();
      if (this.stoppedBy) return;
      this.setState(this.joinInfo ? 'reconnecting' : 'connecting');
      // Socket.IO does not reconnect by itself after a server-side disconnect (a restart closes
      // every socket that way); the rejoin decides whether the session is still there.
      if (reason === 'io server disconnect')
        setTimeout(() => this.stoppedBy || socket.connect(), this.options.reconnectionDelayMs ?? 500);
    });
    wireFacts(socket.on.bind(socket) as SocketOn, this.events, this.sequencer, {
      'access:revoked': (fact) => this.endAccess(accessEndedByNotice(fact)),
      'ingest:progressed': (fact) => this.events.emit('ingest:progressed', fact),
      'ingest:finished': (fact) => {
        this.ingestFinished = true;
        this.events.emit('ingest:finished', fact);
        // Commands are CONFLICT until the socket joins again (R22).
        if (this.current === 'connected' && this.ingesting) this.join();
      },
      'ingest:failed': (fact) => {
        this.events.emit('ingest:failed', fact);
        this.stop(ingestFailedError(this.sessionId, fact));
      },
    });
  }

  private join(): void {
    const connection = ++this.connection;
    const lastSeq = this.sequencer.resumeFrom();
    const payload: JoinCommand = {
      protocolVersion: PROTOCOL_VERSION,
      sessionId: this.sessionId,
      user: this.options.user,
      clientId: this.clientId,
    };
    if (this.options.token !== undefined) payload.token = this.options.token;
    if (lastSeq !== undefined) payload.lastSeq = lastSeq;
    this.sequencer.beginJoin();
    // The join takes a token of the connection's bucket like any event.
    this.pacer.take();
    this.socket
      .timeout(this.options.commandTimeoutMs ?? 120_000)
      .emit('session:join', payload, (err: Error | null, raw: unknown) => {
        if (connection !== this.connection || this.stoppedBy) return;
        if (err) return this.retryJoin(connection);
        const result = JoinResultSchema.safeParse(raw);
        if (!result.success)
          return this.stop(
            new RotoError(
              'PROTOCOL_MISMATCH',
              'The server answered session:join in a form this client cannot read',
            ),
          );
        if (!result.data.ok) {
          const e = new RotoError(
            result.data.error.code,
            result.data.error.message,
            result.data.error.details,
          );
          const ended = accessEndedByRefusal(e, this.options.token);
          if (ended && this.joinInfo) return this.endAccess(ended);
          if (PERMANENT_JOIN_ERRORS.has(e.code)) return this.stop(e);
          if (e.code === 'RATE_LIMITED') this.pacer.refused(e.details);
          return this.retryJoin(connection, e);
        }
        this.onJoined(result.data.data, lastSeq);
      });
  }

  private retryJoin(connection: number, refusal?: RotoError): void {
    const retryAfterMs = (refusal?.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    const delay = typeof retryAfterMs === 'number' ? retryAfterMs : (this.options.reconnectionDelayMs ?? 500);
    setTimeout(() => {
      if (connection === this.connection && !this.stoppedBy && this.socket.connected) this.join();
    }, delay);
  }

  private onJoined(ack: JoinAck, sentLastSeq: number | undefined): void {
    // Leaving an `ingesting` snapshot for a ready one: the document starts over from the snapshot.
    const kind = this.ingesting ? 'reset' : this.sequencer.kindOf(ack, sentLastSeq);
    this.joinInfo = {
      kind,
      snapshot: ack.snapshot,
      participantId: ack.participantId,
      role: ack.role,
      participants: ack.snapshot.participants,
    };
    this.events.emit('joined', this.joinInfo);
    this.sequencer.completeJoin(ack, kind);
    this.setState('connected');
    if (this.presence) this.socket.emit('presence:update', this.presence);
    if (ack.snapshot.status !== 'ingesting') this.queue.goOnline();
    else {
      this.queue.hold();
      // Ingest ended while this join was on its way: join again for the ready session.
      if (this.ingestFinished) this.retryJoin(this.connection);
    }
    this.firstJoin?.resolve();
  }

  /** The link or token was revoked or expired: stop for good, without reconnecting (R20). */
  private endAccess(ended: AccessEnded): void {
    if (this.stoppedBy) return;
    this.stop(ended.error, true, 'revoked');
    this.events.emit('revoked', ended);
  }
}
