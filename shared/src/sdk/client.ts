import type { z } from 'zod';
import { RotoError } from '../contract/errors.ts';
import {
  HistoryAckSchema,
  HistoryCommandSchema,
  JobAckSchema,
  JobCancelCommandSchema,
  type JoinAck,
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
  type SessionSnapshot,
  type StoredMask,
  unpackMasks,
} from '../contract/events.ts';
import { toFailure } from '../contract/result.ts';
import { SessionConnection } from './connection.ts';
import type { Unsubscribe } from './emitter.ts';
import { randomId } from './ids.ts';
import { SessionExports } from './session-exports.ts';
import type { ConnectionState, ConnectOptions, RotoClientEvents } from './types.ts';

/** A command's payload as the SDK takes it: the contract's input without `commandId` (the SDK adds it). */
export type CommandInput<S extends z.ZodType> = Omit<z.input<S>, 'commandId'>;

/** The answer of `fetchMasks`: stored masks (RM bytes, see `decodeMask`) and whether more are left. */
export interface FetchedMasks {
  masks: StoredMask[];
  more: boolean;
}

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
  private readonly link: SessionConnection;
  private readonly exports: SessionExports;

  private constructor(options: ConnectOptions) {
    this.link = new SessionConnection(options);
    this.sessionId = this.link.sessionId;
    this.clientId = this.link.clientId;
    this.exports = new SessionExports(options, this.sessionId);
  }

  /**
   * Connects to `options.url`, joins `options.sessionId` and resolves once joined. Rejects with a
   * `RotoError`: PROTOCOL_MISMATCH, NOT_FOUND, CONFLICT (still ingesting), FORBIDDEN,
   * UNAUTHORIZED as the server answers, or TIMEOUT after `connectTimeoutMs`.
   */
  static async connect(options: ConnectOptions): Promise<RotoClient> {
    const client = new RotoClient(options);
    try {
      await client.link.open();
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────────

  /** The connection state. */
  get state(): ConnectionState {
    return this.link.state;
  }

  /** The snapshot of the latest join (not updated by later facts: apply those yourself). */
  get snapshot(): SessionSnapshot {
    return this.link.joined().snapshot;
  }

  /** This connection's participant id (changes on every reconnect, like the socket's id). */
  get participantId(): string {
    return this.link.joined().participantId;
  }

  /** `editor` or `viewer`, as decided by the server at join. */
  get role(): JoinAck['role'] {
    return this.link.joined().role;
  }

  /** The highest `seq` delivered (or covered by the latest snapshot). */
  get lastSeq(): number {
    return this.link.sequencer.lastSeq;
  }

  /** True while the joined session's media is still being ingested (commands wait meanwhile). */
  get ingesting(): boolean {
    return this.link.ingesting;
  }

  /** Commands issued and not yet answered (queued while offline or ingesting, or in flight). */
  get pendingCommands(): number {
    return this.link.queue.size;
  }

  /** Subscribes to a fact type or a client event; returns the function that unsubscribes. */
  on<K extends keyof RotoClientEvents>(event: K, listener: RotoClientEvents[K]): Unsubscribe {
    return this.link.events.on(event, listener);
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
    return this.link.queue.submit('masks:fetch', query, (data) => {
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
    this.link.updatePresence(parsed.data);
  }

  // ── exports (over REST; everyone in the session gets the `export:*` events, R23) ─────────────────

  /**
   * Starts an export of this session (editor or owner), or gets the job that already made the
   * same export of the unchanged session (`reused: true`, R24). Follow it with
   * `on('export:progressed' | 'export:finished' | …)`; download `exportFileUrl(jobId)`. Rejects
   * with CONFLICT when nothing has a mask yet, FORBIDDEN for a viewer.
   */
  startExport(format: string, options: { objectIds?: number[]; signal?: AbortSignal } = {}) {
    return this.exports.start(format, options);
  }

  /** The session's exports, oldest first: read it after joining, then apply the `export:*` events by `jobId`. */
  listExports(options: { signal?: AbortSignal } = {}) {
    return this.exports.list(options);
  }

  /** Cancels a queued or running export, or removes an ended one and its file (editor or owner). */
  cancelExport(jobId: string) {
    return this.exports.cancel(jobId);
  }

  /** The absolute URL of a finished export's file, with this client's token in the query when it has one. */
  exportFileUrl(jobId: string): string {
    return this.exports.fileUrl(jobId);
  }

  /** Leaves the session: unanswered commands fail with CANCELLED and the state becomes `offline`. */
  close(): void {
    this.link.stop(new RotoError('CANCELLED', 'The client was closed'), false);
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────

  private command<S extends z.ZodType, A extends z.ZodType>(
    event: string,
    schema: S,
    input: object,
    ack: A,
  ): Promise<z.output<A>> {
    if (this.link.stopped) return Promise.reject(this.link.stopped);
    const payload = { ...input, commandId: randomId() };
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return Promise.reject(toRotoError(parsed.error));
    return this.link.queue.submit(event, payload, (data) => ack.parse(data));
  }
}

/** A validation failure as the RotoError the server would have answered (INVALID_INPUT naming the field). */
function toRotoError(err: unknown): RotoError {
  const { error } = toFailure(err);
  return new RotoError(error.code, error.message, error.details);
}
