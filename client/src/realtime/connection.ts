import {
  type ErrorBody,
  type ExportJob,
  type PresenceUpdate,
  type Result,
  toFailure,
  type User,
} from '@roto/shared';
import { DURABLE_FACT_TYPES, RotoClient, VOLATILE_FACT_SCHEMAS } from '@roto/shared/sdk';
import {
  applyFact,
  applyFetched,
  applyVolatile,
  fromSnapshot,
  rebaseOnSnapshot,
  type SessionDocState,
} from './session-doc.ts';

/**
 * The editor's link to one session, built on the shared SDK's `RotoClient` (commands with dedupe
 * ids resent after a reconnect, an offline queue, facts exactly once in seq order across rejoins).
 * This class adds what a view needs on top: the session document kept current from those facts,
 * mask bytes fetched around the playhead, results instead of exceptions, and one change signal
 * per animation frame for React.
 */

/** Where the connection stands, as the status bar shows it. */
export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'joined'; participantId: string; role: 'editor' | 'viewer' }
  | { kind: 'reconnecting'; since: number }
  | { kind: 'failed'; error: ErrorBody }
  /** The link (or token) this tab joined with was revoked or expired: final, nothing is retried. */
  | { kind: 'revoked'; reason: 'revoked' | 'expired'; message: string };

/** The editor's commands, by event name, mapped to the SDK's methods. */
interface Commands {
  'prompt:add': RotoClient['addPrompts'];
  'prompt:clear': RotoClient['clearPrompts'];
  'object:create': RotoClient['createObject'];
  'object:update': RotoClient['updateObject'];
  'object:delete': RotoClient['deleteObject'];
  'propagation:start': RotoClient['propagate'];
  'job:cancel': RotoClient['cancelJob'];
  'history:undo': RotoClient['undo'];
  'history:redo': RotoClient['redo'];
}
/** Commands the editor sends. */
export type CommandName = keyof Commands;
type PayloadOf<K extends CommandName> =
  Parameters<Commands[K]> extends [] ? Record<string, never> : NonNullable<Parameters<Commands[K]>[0]>;
type AckOf<K extends CommandName> = Awaited<ReturnType<Commands[K]>>;

const METHODS: { [K in CommandName]: (c: RotoClient, p: never) => ReturnType<Commands[K]> } = {
  'prompt:add': (c, p) => c.addPrompts(p),
  'prompt:clear': (c, p) => c.clearPrompts(p),
  'object:create': (c, p) => c.createObject(p),
  'object:update': (c, p) => c.updateObject(p),
  'object:delete': (c, p) => c.deleteObject(p),
  'propagation:start': (c, p) => c.propagate(p),
  'job:cancel': (c, p) => c.cancelJob(p),
  'history:undo': (c) => c.undo(),
  'history:redo': (c) => c.redo(),
};

/** Options of `SessionConnection`. */
export interface ConnectionOptions {
  sessionId: string;
  user: User;
  /** Stable per tab: undo history follows it across reconnects and reloads. */
  clientId: string;
  /** Server origin; default: the page's own. */
  url?: string;
  /** A share link's or the owner's token; none on servers in `AUTH_MODE=open`. */
  token?: string | undefined;
}

/** How long to wait before trying again to open a session that is still being prepared or did not answer. */
const OPEN_RETRY_MS = 1000;
const RETRYABLE_OPEN_ERRORS = new Set(['CONFLICT', 'TIMEOUT', 'BUSY', 'INTERNAL']);

/**
 * One editor's link to one session: `doc` (the session as facts made it), `state` (for the status
 * bar), `send` (commands as results), `presence`, `ensureMasks`; `subscribe` for React.
 */
export class SessionConnection {
  readonly sessionId: string;
  state: ConnectionState = { kind: 'connecting' };
  doc: SessionDocState | null = null;
  /** The role of the latest join (kept while reconnecting, so a viewer's controls stay off). */
  role: 'editor' | 'viewer' | null = null;
  /** The SDK client once joined (tests reach its socket to cut the connection on purpose). */
  client: RotoClient | null = null;
  /**
   * The session's exports by job id, whoever started them: listed after each join, then kept
   * current from the `export:*` notices pushed to everyone in the session (R23). Never polled.
   */
  readonly exports = new Map<string, ExportJob>();
  private exportsRevision = 0;
  private readonly exportCounters = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly options: ConnectionOptions;
  private notifyScheduled = false;
  private fetching = false;
  private wantedRange: { from: number; to: number } | null = null;
  private closed = false;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.sessionId = options.sessionId;
    void this.open();
  }

  /** Calls `listener` (at most once per animation frame) whenever the state or document changes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes whenever anything a view shows changes. */
  version(): string {
    return `${this.state.kind}:${this.doc?.revision ?? -1}:${this.pendingCount()}:${this.exportsRevision}`;
  }

  /** Commands issued and not yet answered (queued while offline, or in flight). */
  pendingCount(): number {
    return this.client?.pendingCommands ?? 0;
  }

  /**
   * Sends a command; resolves with its result (never rejects). While offline the SDK queues it
   * and sends it after the rejoin, with the same `commandId`.
   */
  async send<K extends CommandName>(event: K, payload: PayloadOf<K>): Promise<Result<AckOf<K>>> {
    const client = this.client;
    if (!client)
      return { ok: false, error: { code: 'CONFLICT', message: 'Not connected to the session yet.' } };
    const p = (METHODS[event] as (c: RotoClient, p: unknown) => Promise<AckOf<K>>)(client, payload);
    this.notify();
    try {
      return { ok: true, data: await p };
    } catch (err) {
      return toFailure(err);
    } finally {
      this.notify();
    }
  }

  /** Sends presence (cursor, viewed frame, selection); while offline only the latest is kept. */
  presence(update: PresenceUpdate): void {
    try {
      this.client?.updatePresence(update);
    } catch {
      // Presence is best effort: a value the contract refuses is dropped, never thrown at a pointer handler.
    }
  }

  /** Makes sure the bytes of masks on frames `[from, to]` are here (fetched in pages when not). */
  ensureMasks(from: number, to: number): void {
    this.wantedRange = { from, to };
    void this.fetchMissing();
  }

  /** Records a job this tab learnt of from a REST answer (its notices may come before or after). */
  trackExport(job: ExportJob): void {
    const known = this.exports.get(job.jobId);
    // A notice that ended the job may have overtaken the REST answer: an ended job stays ended.
    if (known && known.status.state !== 'queued' && known.status.state !== 'running') return;
    this.exports.set(job.jobId, job);
    this.exportsChanged();
  }

  close(): void {
    this.closed = true;
    this.client?.close();
    this.listeners.clear();
  }

  private async open(): Promise<void> {
    const { sessionId, user, clientId } = this.options;
    let client: RotoClient;
    try {
      client = await RotoClient.connect({
        url: this.options.url ?? window.location.origin,
        sessionId,
        user,
        clientId,
        ...(this.options.token ? { token: this.options.token } : {}),
      });
    } catch (err) {
      if (this.closed) return;
      const failure = toFailure(err);
      this.setState({ kind: 'failed', error: failure.error });
      // Still being prepared, or the server did not answer in time: try again. Anything else
      // (not found, forbidden, protocol mismatch) retrying cannot fix.
      if (RETRYABLE_OPEN_ERRORS.has(failure.error.code))
        setTimeout(() => !this.closed && void this.open(), OPEN_RETRY_MS);
      return;
    }
    if (this.closed) return client.close();
    this.client = client;
    this.doc = fromSnapshot(client.snapshot);
    const on = client.on.bind(client) as (event: string, listener: (fact: never) => void) => void;
    for (const type of DURABLE_FACT_TYPES) {
      on(type, (fact) => {
        if (this.doc && applyFact(this.doc, fact)) this.notify();
      });
    }
    for (const type of Object.keys(VOLATILE_FACT_SCHEMAS)) {
      on(type, (fact) => {
        if (!this.doc) return;
        applyVolatile(this.doc, fact);
        this.notify();
      });
    }
    this.followExports(client);
    client.on('joined', (info) => {
      if (!this.doc) return;
      // `resumed`: the missed facts follow as events; only volatile state is refreshed here.
      // `reset`: the server could not replay them; the snapshot replaces the document.
      if (info.kind === 'reset') this.doc = rebaseOnSnapshot(this.doc, info.snapshot);
      else {
        this.doc.participants = new Map(info.participants.map((p) => [p.participantId, p]));
        for (const j of info.snapshot.jobs) {
          const mine = this.doc.jobs.get(j.job.jobId);
          if (mine) mine.progress = j.progress;
        }
        this.doc.revision++;
      }
      this.notify();
    });
    client.on('state', (s) => {
      if (s === 'connected')
        this.setState({ kind: 'joined', participantId: client.participantId, role: client.role });
      else if (s === 'reconnecting' || s === 'connecting')
        this.setState({ kind: 'reconnecting', since: Date.now() });
      if (s === 'connected') void this.fetchMissing();
      if (s === 'connected') void this.listExports(client);
    });
    client.on('error', (e) => {
      if (client.state === 'offline')
        this.setState({ kind: 'failed', error: { code: e.code, message: e.message } });
    });
    // The SDK has stopped for good (no reconnection); the view says why and stops offering edits.
    client.on('revoked', (info) =>
      this.setState({ kind: 'revoked', reason: info.reason, message: info.message }),
    );
    this.setState({ kind: 'joined', participantId: client.participantId, role: client.role });
    void this.fetchMissing();
  }

  private followExports(client: RotoClient): void {
    client.on('export:started', ({ job }) => this.trackExport(job));
    client.on('export:progressed', (fact) => {
      const job = this.exports.get(fact.jobId);
      // Volatile and possibly reordered: only a newer counter moves the bar.
      if (!job || (this.exportCounters.get(fact.jobId) ?? 0) >= fact.counter) return;
      if (job.status.state !== 'queued' && job.status.state !== 'running') return;
      this.exportCounters.set(fact.jobId, fact.counter);
      const { done, total, fps, etaSec } = fact;
      this.exports.set(fact.jobId, {
        ...job,
        status: { state: 'running', progress: { done, total, fps, etaSec } },
      });
      this.exportsChanged();
    });
    for (const type of ['export:finished', 'export:failed', 'export:cancelled'] as const) {
      client.on(type, ({ job }: { job: ExportJob }) => {
        this.exports.set(job.jobId, job);
        this.exportsChanged();
      });
    }
    void this.listExports(client);
  }

  /** After a (re)join: what happened to exports while this tab was away. */
  private async listExports(client: RotoClient): Promise<void> {
    try {
      for (const job of await client.listExports()) {
        const known = this.exports.get(job.jobId);
        if (!known || known.status.state === 'queued' || known.status.state === 'running')
          this.exports.set(job.jobId, job);
      }
      this.exportsChanged();
    } catch {
      // A server without exports, or offline: the notices still arrive while joined.
    }
  }

  private exportsChanged(): void {
    this.exportsRevision++;
    this.notify();
  }

  private async fetchMissing(): Promise<void> {
    const { doc, client } = this;
    const range = this.wantedRange;
    if (this.fetching || !doc || !client || !range || client.state !== 'connected') return;
    const missing = [...doc.masks.values()].filter(
      (m) => !m.bytes && m.frame >= range.from && m.frame <= range.to,
    );
    if (missing.length === 0) return;
    this.fetching = true;
    try {
      const from = Math.min(...missing.map((m) => m.frame));
      const to = Math.max(...missing.map((m) => m.frame));
      const masks = await client.fetchAllMasks({ range: { from, to } });
      if (this.doc === doc) applyFetched(doc, masks);
      this.notify();
    } catch {
      // Offline or refused: the next reconnect or scrub asks again.
    } finally {
      this.fetching = false;
    }
    // The view may have moved on while this page was in flight.
    if (this.wantedRange !== range) void this.fetchMissing();
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    if (s.kind === 'joined') this.role = s.role;
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
