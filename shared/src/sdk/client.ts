import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import { RotoError } from '../contract/errors.ts';
import {
  type ClientToServerEvents,
  HistoryAckSchema,
  HistoryCommandSchema,
  JobAckSchema,
  JobCancelCommandSchema,
  type JoinAck,
  JoinAckSchema,
  type JoinCommand,
  MasksFetchAckSchema,
  type MasksFetchQuery,
  MasksFetchQuerySchema,
  ObjectAckSchema,
  ObjectCreateCommandSchema,
  ObjectDeleteCommandSchema,
  ObjectUpdateCommandSchema,
  type PresenceUpdate,
  PresenceUpdateSchema,
  PromptAddAckSchema,
  PromptAddCommandSchema,
  PromptClearCommandSchema,
  PropagationStartCommandSchema,
  SeqAckSchema,
  type ServerToClientEvents,
  type SessionSnapshot,
  type StoredMask,
  unpackMasks,
} from '../contract/events.ts';
import { PROTOCOL_VERSION } from '../contract/protocol.ts';
import { resultSchema, toFailure } from '../contract/result.ts';
import { CommandQueue } from './command-queue.ts';
import { Emitter, type Unsubscribe } from './emitter.ts';
import { listenForExportNotices } from './exports.ts';
import { FactSequencer } from './fact-sequencer.ts';
import { DURABLE_FACT_TYPES, parseDurableFact, VOLATILE_FACT_SCHEMAS } from './facts.ts';
import { randomId } from './ids.ts';
import { SERVER_DEFAULT_RATE_LIMITS, SendPacer } from './pacer.ts';
import { RotoApi } from './rest.ts';
import {
  type AccessEnded,
  accessEndedByNotice,
  accessEndedByRefusal,
  ingestFailedError,
  listenForNotices,
} from './session-notices.ts';
import type { ConnectionState, ConnectOptions, JoinedInfo, RotoClientEvents } from './types.ts';

/** A command's payload as the SDK takes it: the contract's input without `commandId` (the SDK adds it). */
export type CommandInput<S extends z.ZodType> = Omit<z.input<S>, 'commandId'>;

/** The answer of `fetchMasks`: stored masks (RM bytes, see `decodeMask`) and whether more are left. */
export interface FetchedMasks {
  masks: StoredMask[];
  more: boolean;
}

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

/**
 * A participant in one Roto session over Socket.IO, for browsers and Node alike.
 *
 * - One method per command, each resolving with the ack data or rejecting with a `RotoError`
 *   carrying the server's code. Every command gets a `commandId` and is re-sent with the same id
 *   after a reconnect until answered (the server applies it once); commands issued while the
 *   connection is down wait in a bounded queue.
 * - `on(type, listener)` for facts: durable facts arrive exactly once and in `seq` order, across
 *   reconnects (the client rejoins with `lastSeq` and replays the catch-up before live facts).
 * - `state` is `connecting | connected | reconnecting | offline | revoked`, with a `state` event.
 *   When the link the client joined with is revoked or expires, it stops for good (`revoked`):
 *   no reconnection, unanswered commands rejected with UNAUTHORIZED, a `revoked` event.
 * - A session still being ingested can be joined (`snapshot.status === 'ingesting'`): commands
 *   issued meanwhile wait, as they do offline (their `commandTimeoutMs` running), and are sent
 *   once ingest has finished and the client has joined again by itself (`joined` with the ready
 *   snapshot). `ingest:*` events report the progress.
 * - Sends are paced to the server's rate limit; a command refused with RATE_LIMITED is sent again
 *   after `retryAfterMs` (up to `rateLimitRetries` times), before anything issued after it.
 *
 * ```ts
 * const client = await RotoClient.connect({ url, sessionId, user: { name: 'Ada' } });
 * client.on('mask:updated', (fact) => draw(decodeMask(fact.mask)));
 * const { objectId } = await client.addPrompts({ frame: 0, points: [{ x: 120, y: 80, label: 1 }] });
 * ```
 */
export class RotoClient {
  /** The session this client is in. */
  readonly sessionId: string;
  /** The id that owns this client's undo history (stable across reconnects). */
  readonly clientId: string;
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly events = new Emitter<RotoClientEvents>();
  private restApi: RotoApi | undefined;
  private readonly queue: CommandQueue;
  private readonly sequencer: FactSequencer;
  private current: ConnectionState = 'connecting';
  private joinInfo: JoinedInfo | undefined;
  /** Bumped on every connection and disconnection, so a late join ack of an old connection is ignored. */
  private connection = 0;
  private stopped: RotoError | undefined;
  private presence: PresenceUpdate | undefined;
  private firstJoin: { resolve: () => void; reject: (err: RotoError) => void } | undefined;
  private readonly pacer: SendPacer;
  /** `ingest:finished` arrived: a join answered with an `ingesting` snapshot is out of date. */
  private ingestFinished = false;

  private constructor(private readonly options: ConnectOptions) {
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
   * Connects to `options.url`, joins `options.sessionId` and resolves once joined. Rejects with a
   * `RotoError`: PROTOCOL_MISMATCH, NOT_FOUND, CONFLICT (still ingesting), FORBIDDEN,
   * UNAUTHORIZED as the server answers, or TIMEOUT after `connectTimeoutMs`.
   */
  static async connect(options: ConnectOptions): Promise<RotoClient> {
    const client = new RotoClient(options);
    const timeoutMs = options.connectTimeoutMs ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        client.firstJoin = { resolve, reject };
        timer = setTimeout(
          () =>
            reject(
              new RotoError(
                'TIMEOUT',
                `Could not join session ${options.sessionId} at ${options.url} within ${timeoutMs / 1000} s`,
              ),
            ),
          timeoutMs,
        );
        client.socket.connect();
      });
    } catch (err) {
      client.close();
      throw err;
    } finally {
      clearTimeout(timer);
      client.firstJoin = undefined;
    }
    return client;
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────────

  /** The connection state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** The snapshot of the latest join (not updated by later facts: apply those yourself). */
  get snapshot(): SessionSnapshot {
    return this.joined().snapshot;
  }

  /** This connection's participant id (changes on every reconnect, like the socket's id). */
  get participantId(): string {
    return this.joined().participantId;
  }

  /** `editor` or `viewer`, as decided by the server at join. */
  get role(): JoinAck['role'] {
    return this.joined().role;
  }

  /** The highest `seq` delivered (or covered by the latest snapshot). */
  get lastSeq(): number {
    return this.sequencer.lastSeq;
  }

  /** True while the joined session's media is still being ingested (commands wait meanwhile). */
  get ingesting(): boolean {
    return this.joinInfo?.snapshot.status === 'ingesting';
  }

  /** Commands issued and not yet answered (queued while offline or ingesting, or in flight). */
  get pendingCommands(): number {
    return this.queue.size;
  }

  /** Subscribes to a fact type or a client event; returns the function that unsubscribes. */
  on<K extends keyof RotoClientEvents>(event: K, listener: RotoClientEvents[K]): Unsubscribe {
    return this.events.on(event, listener);
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────────

  /** `prompt:add`: clicks and/or a box on one frame; creates the object when `objectId` is absent. Acks with the mask. */
  addPrompts(input: CommandInput<typeof PromptAddCommandSchema>) {
    return this.command('prompt:add', PromptAddCommandSchema, input, PromptAddAckSchema);
  }

  /** `prompt:clear`: removes an object's prompts and mask on a frame. */
  clearPrompts(input: CommandInput<typeof PromptClearCommandSchema>) {
    return this.command('prompt:clear', PromptClearCommandSchema, input, SeqAckSchema);
  }

  /** `object:create`: adds an object (the server picks a name and colour when absent). */
  createObject(input: CommandInput<typeof ObjectCreateCommandSchema> = {}) {
    return this.command('object:create', ObjectCreateCommandSchema, input, ObjectAckSchema);
  }

  /** `object:update`: renames or recolours an object. */
  updateObject(input: CommandInput<typeof ObjectUpdateCommandSchema>) {
    return this.command('object:update', ObjectUpdateCommandSchema, input, ObjectAckSchema);
  }

  /** `object:delete`: removes an object with its prompts and masks. */
  deleteObject(input: CommandInput<typeof ObjectDeleteCommandSchema>) {
    return this.command('object:delete', ObjectDeleteCommandSchema, input, SeqAckSchema);
  }

  /** `propagation:start`: tracks objects through the video; acks with the `jobId` (masks follow as facts). */
  propagate(input: CommandInput<typeof PropagationStartCommandSchema> = {}) {
    return this.command('propagation:start', PropagationStartCommandSchema, input, JobAckSchema);
  }

  /** `job:cancel`: stops a running job between steps (masks already sent stay). */
  cancelJob(input: CommandInput<typeof JobCancelCommandSchema>) {
    return this.command('job:cancel', JobCancelCommandSchema, input, JobAckSchema);
  }

  /** `history:undo`: undoes this client's last edit (CONFLICT when there is none). */
  undo() {
    return this.command('history:undo', HistoryCommandSchema, {}, HistoryAckSchema);
  }

  /** `history:redo`: redoes this client's last undone edit (CONFLICT when there is none). */
  redo() {
    return this.command('history:redo', HistoryCommandSchema, {}, HistoryAckSchema);
  }

  /** `masks:fetch`: one page of stored masks (at most `limit`, 512 by default), ordered by frame then object. */
  async fetchMasks(query: z.input<typeof MasksFetchQuerySchema> = {}): Promise<FetchedMasks> {
    const parsed = MasksFetchQuerySchema.safeParse(query);
    if (!parsed.success) throw toRotoError(parsed.error);
    return this.queue.submit('masks:fetch', query, (data) => {
      const ack = MasksFetchAckSchema.parse(data);
      return { masks: unpackMasks(ack), more: ack.more };
    });
  }

  /** Every stored mask matching `query`, fetched page by page. */
  async fetchAllMasks(query: Omit<MasksFetchQuery, 'limit'> = {}): Promise<StoredMask[]> {
    const out = new Map<string, StoredMask>();
    let from = query.range?.from ?? 0;
    for (;;) {
      const range = { from, to: query.range?.to ?? Number.MAX_SAFE_INTEGER };
      const page = await this.fetchMasks({ ...query, range });
      for (const m of page.masks) out.set(`${m.objectId}/${m.frame}`, m);
      const last = page.masks.at(-1);
      // A page holds more than one frame (at most 256 objects, 512 masks a page), so restarting at
      // the last frame of a page always moves forward; masks seen twice are kept once.
      if (!page.more || !last || last.frame === from) break;
      from = last.frame;
    }
    return [...out.values()];
  }

  /**
   * `presence:update` (volatile, no ack): cursor, viewed frame, selected object. Fields merge with
   * earlier updates; while offline only the latest state is kept, and it is sent on rejoin.
   */
  updatePresence(update: PresenceUpdate): void {
    const parsed = PresenceUpdateSchema.safeParse(update);
    if (!parsed.success) throw toRotoError(parsed.error);
    this.presence = { ...this.presence, ...parsed.data };
    if (this.current === 'connected') this.socket.emit('presence:update', parsed.data);
  }

  // ── exports (over REST; everyone in the session gets the `export:*` events, R23) ─────────────────

  /**
   * Starts an export of this session (editor or owner), or gets the job that already made the
   * same export of the unchanged session (`reused: true`, R24). Follow it with
   * `on('export:progressed' | 'export:finished' | …)`; download `exportFileUrl(jobId)`. Rejects
   * with CONFLICT when nothing has a mask yet, FORBIDDEN for a viewer.
   */
  startExport(format: string, options: { objectIds?: number[]; signal?: AbortSignal } = {}) {
    return this.rest().startExport(this.sessionId, format, { ...options, ...this.tokenOption() });
  }

  /** The session's exports, oldest first: read it after joining, then apply the `export:*` events by `jobId`. */
  listExports(options: { signal?: AbortSignal } = {}) {
    return this.rest().listExports(this.sessionId, { ...options, ...this.tokenOption() });
  }

  /** Cancels a queued or running export, or removes an ended one and its file (editor or owner). */
  cancelExport(jobId: string) {
    return this.rest().cancelExport(this.sessionId, jobId, this.tokenOption());
  }

  /** The absolute URL of a finished export's file, with this client's token in the query when it has one. */
  exportFileUrl(jobId: string): string {
    return this.rest().exportFileUrl(this.sessionId, jobId, this.options.token);
  }

  private rest(): RotoApi {
    this.restApi ??= new RotoApi(this.options.url);
    return this.restApi;
  }

  private tokenOption(): { token?: string } {
    return this.options.token !== undefined ? { token: this.options.token } : {};
  }

  /** Leaves the session: unanswered commands fail with CANCELLED and the state becomes `offline`. */
  close(): void {
    this.stop(new RotoError('CANCELLED', 'The client was closed'), false);
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────

  private command<S extends z.ZodType, A extends z.ZodType>(
    event: string,
    schema: S,
    input: object,
    ack: A,
  ): Promise<z.output<A>> {
    if (this.stopped) return Promise.reject(this.stopped);
    const payload = { ...input, commandId: randomId() };
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return Promise.reject(toRotoError(parsed.error));
    return this.queue.submit(event, payload, (data) => ack.parse(data));
  }

  private joined(): JoinedInfo {
    if (!this.joinInfo) throw new RotoError('CONFLICT', 'The client has not joined the session yet');
    return this.joinInfo;
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
      if (this.stopped) return;
      this.setState(this.joinInfo ? 'reconnecting' : 'connecting');
      // Socket.IO does not reconnect by itself after a server-side disconnect (a restart closes
      // every socket that way); the rejoin decides whether the session is still there.
      if (reason === 'io server disconnect')
        setTimeout(() => this.stopped || socket.connect(), this.options.reconnectionDelayMs ?? 500);
    });
    const on = socket.on.bind(socket) as (event: string, listener: (raw: unknown) => void) => void;
    listenForNotices(
      { on },
      {
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
      },
      (type) =>
        this.events.emit(
          'error',
          new RotoError('PROTOCOL_MISMATCH', `The server sent a ${type} notice this client cannot read`),
        ),
    );
    listenForExportNotices(
      { on },
      (fact) => (this.events.emit as (e: string, f: unknown) => void)(fact.type, fact),
      (type) =>
        this.events.emit(
          'error',
          new RotoError('PROTOCOL_MISMATCH', `The server sent a ${type} notice this client cannot read`),
        ),
    );
    for (const type of DURABLE_FACT_TYPES) {
      on(type, (raw) => {
        const fact = parseDurableFact(type, raw);
        if (fact) this.sequencer.live(fact);
        else
          this.events.emit(
            'error',
            new RotoError('PROTOCOL_MISMATCH', `The server sent a ${type} fact this client cannot read`),
          );
      });
    }
    for (const [type, schema] of Object.entries(VOLATILE_FACT_SCHEMAS)) {
      on(type, (raw) => {
        const parsed = schema.safeParse(raw);
        if (parsed.success) (this.events.emit as (e: string, f: unknown) => void)(type, parsed.data);
      });
    }
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
        if (connection !== this.connection || this.stopped) return;
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
      if (connection === this.connection && !this.stopped && this.socket.connected) this.join();
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
    if (this.stopped) return;
    this.stop(ended.error, true, 'revoked');
    this.events.emit('revoked', ended);
  }

  private stop(error: RotoError, report = true, state: 'offline' | 'revoked' = 'offline'): void {
    if (this.stopped) return;
    this.stopped = error;
    this.connection += 1;
    this.queue.goOffline();
    this.queue.failAll(error);
    this.socket.disconnect();
    this.setState(state);
    if (report) this.events.emit('error', error);
    this.firstJoin?.reject(error);
  }
}

/** A validation failure as the RotoError the server would have answered (INVALID_INPUT naming the field). */
function toRotoError(err: unknown): RotoError {
  const { error } = toFailure(err);
  return new RotoError(error.code, error.message, error.details);
}
