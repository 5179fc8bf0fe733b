import {
  type ClientToServerEvents,
  DurableFactSchema,
  type ErrorBody,
  type JoinAck,
  type MasksFetchAck,
  PROTOCOL_VERSION,
  type PresenceUpdate,
  type Result,
  type ServerToClientEvents,
  unpackFacts,
  unpackMasks,
  type User,
  type VolatileFact,
} from '@roto/shared';
import { io, type Socket } from 'socket.io-client';
import { applyFact, applyFetched, applyVolatile, fromSnapshot, rebaseOnSnapshot, type SessionDocState } from './session-doc.ts';

/**
 * The browser's link to one session: joins, keeps the document current from facts, sends commands
 * with a client-made `commandId` and resends them after a reconnect (the server answers a repeat
 * with the first answer, R8), rejoins with `lastSeq` (R13), and queues what the user does while
 * offline instead of losing it. This is the seam where the shared SDK's `RotoClient` plugs in.
 */

/** Where the connection stands, as the status bar shows it. */
export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'joined'; participantId: string; role: 'editor' | 'viewer' }
  | { kind: 'reconnecting'; since: number }
  | { kind: 'failed'; error: ErrorBody };

type Events = ClientToServerEvents;
/** Commands the editor sends: every acked event but the join and the mask query. */
export type CommandName = Exclude<keyof Events, 'session:join' | 'masks:fetch' | 'presence:update'>;
type PayloadOf<K extends CommandName> = Omit<Parameters<Events[K]>[0], 'commandId'>;
type AckDataOf<K extends keyof Events> = Parameters<Events[K]>[1] extends (r: Result<infer T>) => void ? T : never;

interface Pending {
  commandId: string;
  event: CommandName;
  payload: Record<string, unknown>;
  resolve: (r: Result<unknown>) => void;
  sent: boolean;
}

const FACT_TYPES = ['mask:updated', 'masks:removed', 'masks:stale', 'object:created', 'object:updated', 'object:deleted', 'prompts:updated', 'job:started', 'job:finished', 'job:failed', 'job:cancelled'] as const;
const VOLATILE_TYPES = ['job:progressed', 'participant:joined', 'participant:left', 'presence:updated'] as const;

/** Options of `SessionConnection`. */
export interface ConnectionOptions {
  sessionId: string;
  user: User;
  /** Stable per tab: undo history follows it across reconnects and reloads. */
  clientId: string;
  /** Server origin; default: the page's own. */
  url?: string;
}

export class SessionConnection {
  readonly sessionId: string;
  state: ConnectionState = { kind: 'connecting' };
  doc: SessionDocState | null = null;
  /** Commands waiting for an ack (queued while offline, or sent and not yet answered). */
  readonly pending: Pending[] = [];
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly listeners = new Set<() => void>();
  private readonly options: ConnectionOptions;
  private notifyScheduled = false;
  private fetching = false;
  private wantedRange: { from: number; to: number } | null = null;
  private closed = false;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.sessionId = options.sessionId;
    const opts = { reconnectionDelay: 300, reconnectionDelayMax: 3000, transports: ['websocket', 'polling'] };
    this.socket = options.url ? io(options.url, opts) : io(opts);
    this.socket.on('connect', () => void this.join());
    this.socket.on('disconnect', () => {
      if (this.closed) return;
      for (const p of this.pending) p.sent = false;
      this.setState({ kind: 'reconnecting', since: Date.now() });
    });
    this.socket.on('connect_error', () => {
      if (this.state.kind !== 'failed') this.setState({ kind: 'reconnecting', since: Date.now() });
    });
    for (const type of FACT_TYPES) {
      (this.socket.on as (e: string, cb: (f: unknown) => void) => void)(type, (raw) => this.onFact(raw));
    }
    for (const type of VOLATILE_TYPES) {
      (this.socket.on as (e: string, cb: (f: VolatileFact) => void) => void)(type, (f) => {
        if (!this.doc) return;
        applyVolatile(this.doc, f);
        this.notify();
      });
    }
  }

  /** Calls `listener` (at most once per animation frame) whenever the state or document changes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A number that changes whenever anything a view shows changes. */
  version(): string {
    return `${this.state.kind}:${this.doc?.revision ?? -1}:${this.pending.length}`;
  }

  /**
   * Sends a command; resolves with its ack. While offline the command waits in `pending` and is
   * sent after the rejoin; an unanswered one is resent with the same `commandId`.
   */
  send<K extends CommandName>(event: K, payload: PayloadOf<K>): Promise<Result<AckDataOf<K>>> {
    return new Promise((resolve) => {
      const p: Pending = { commandId: crypto.randomUUID(), event, payload: payload as Record<string, unknown>, resolve: resolve as (r: Result<unknown>) => void, sent: false };
      this.pending.push(p);
      this.notify();
      if (this.state.kind === 'joined') this.emitPending(p);
    });
  }

  /**
   * Sends presence (cursor, viewed frame, selection); dropped while offline, as presence is
   * volatile. Cursor moves may be dropped under load; a change of frame or selection may not, or
   * the others would see this person on a frame they left.
   */
  presence(update: PresenceUpdate): void {
    if (this.state.kind !== 'joined') return;
    const cursorOnly = update.frame === undefined && update.selectedObjectId === undefined;
    if (cursorOnly) this.socket.volatile.emit('presence:update', update);
    else this.socket.emit('presence:update', update);
  }

  /** Makes sure the bytes of masks on frames `[from, to]` are here (fetched in pages when not). */
  ensureMasks(from: number, to: number): void {
    this.wantedRange = { from, to };
    void this.fetchMissing();
  }

  close(): void {
    this.closed = true;
    this.socket.close();
    this.listeners.clear();
  }

  /** Drops the connection as a network failure would (used by the offline-queue test hook). */
  simulateDrop(): void {
    this.socket.io.engine?.close();
  }

  private async join(): Promise<void> {
    const payload = {
      protocolVersion: PROTOCOL_VERSION,
      sessionId: this.sessionId,
      clientId: this.options.clientId,
      user: this.options.user,
      ...(this.doc ? { lastSeq: this.doc.seq } : {}),
    };
    const res = (await this.socket.emitWithAck('session:join', payload)) as Result<JoinAck>;
    if (!res.ok) {
      this.setState({ kind: 'failed', error: res.error });
      // A session still decoding (CONFLICT) becomes joinable soon; anything else is final.
      if (res.error.code === 'CONFLICT') setTimeout(() => this.socket.connected && void this.join(), 1000);
      return;
    }
    const { snapshot, catchUp } = res.data;
    this.doc = this.doc ? rebaseOnSnapshot(this.doc, snapshot) : fromSnapshot(snapshot);
    // The snapshot is the truth; catch-up facts only bring the bytes of masks that changed meanwhile.
    const facts = catchUp.status === 'ok' ? unpackFacts(catchUp) : [];
    const bytes = facts.flatMap((f) => (f.type === 'mask:updated' ? [{ ...f, stale: false }] : []));
    if (bytes.length) applyFetched(this.doc, bytes);
    this.setState({ kind: 'joined', participantId: res.data.participantId, role: res.data.role });
    for (const p of this.pending) if (!p.sent) this.emitPending(p);
    void this.fetchMissing();
  }

  private emitPending(p: Pending): void {
    p.sent = true;
    (this.socket.emit as (e: string, payload: unknown, ack: (r: Result<unknown>) => void) => void)(p.event, { commandId: p.commandId, ...p.payload }, (r) => {
      const i = this.pending.indexOf(p);
      if (i < 0) return; // answered already (a resend raced the first answer)
      this.pending.splice(i, 1);
      p.resolve(r);
      this.notify();
    });
  }

  private onFact(raw: unknown): void {
    if (!this.doc) return;
    const parsed = DurableFactSchema.safeParse(raw);
    if (!parsed.success) return;
    if (applyFact(this.doc, parsed.data)) this.notify();
  }

  private async fetchMissing(): Promise<void> {
    const doc = this.doc;
    const range = this.wantedRange;
    if (this.fetching || !doc || !range || this.state.kind !== 'joined') return;
    const missing = [...doc.masks.values()].filter((m) => !m.bytes && m.frame >= range.from && m.frame <= range.to);
    if (missing.length === 0) return;
    this.fetching = true;
    try {
      let from = Math.min(...missing.map((m) => m.frame));
      const to = Math.max(...missing.map((m) => m.frame));
      for (;;) {
        const res = (await this.socket.emitWithAck('masks:fetch', { range: { from, to } })) as Result<MasksFetchAck>;
        if (!res.ok || this.doc !== doc) break;
        const masks = unpackMasks(res.data);
        applyFetched(doc, masks);
        this.notify();
        if (!res.data.more || masks.length === 0) break;
        from = Math.max(from, ...masks.map((m) => m.frame));
      }
    } finally {
      this.fetching = false;
    }
    // The view may have moved on while this page was in flight.
    if (this.wantedRange !== range) void this.fetchMissing();
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    this.notify();
  }

  private notify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    const run = () => {
      this.notifyScheduled = false;
      for (const l of this.listeners) l();
    };
    if (typeof requestAnimationFrame === 'function' && !document.hidden) requestAnimationFrame(run);
    else setTimeout(run, 16);
  }
}
