/**
 * `SessionRoom`: the one owner of a live session. Commands run one at a time through the room's
 * queue and an exhaustive switch; each command's facts go into one op-log record, and are applied
 * to the document and broadcast only once that record is durable, so an ack always means durable.
 */
import { randomUUID } from 'node:crypto';
import {
  type DurableFact,
  type Fact,
  type JoinAck,
  type MasksFetchAck,
  type MasksFetchQuery,
  type PresenceUpdate,
  packBinary,
  RotoError,
} from '@roto/shared';
import type { InferenceEngine, VideoFrames } from '../inference/engine.ts';
import { CancelToken } from '../lane/cancel-token.ts';
import type { GpuLane } from '../lane/lane.ts';
import type { Logger } from '../observability/logger.ts';
import type { SessionStore } from '../storage/index.ts';
import { RecentFacts } from './catch-up.ts';
import { runHistoryStep, runPromptAdd } from './click-and-history.ts';
import { factObjectIds, localObjectOf } from './command-footprint.ts';
import { objectCreateFacts, objectDeleteFacts, objectUpdateFacts, promptClearFacts } from './edits.ts';
import { EngineBinding } from './engine-binding.ts';
import { History } from './history.ts';
import { PropagationJobs } from './jobs.ts';
import { Members } from './members.ts';
import { encodeFactsRecord, type FactBody, type FactsRecord, withSeq } from './records.ts';
import { resultFor } from './results.ts';
import type { SessionState, StateSnapshot } from './state.ts';
import type { Actor, Publish, RoomCommand } from './types.ts';

/** Facts records after which an unloading room writes a store snapshot (compacting the log). */
export const SNAPSHOT_AFTER_RECORDS = 200;
/** Command results remembered for dedupe. */
const DEDUPE_ENTRIES = 10_000;

/** What a room is built from. */
export interface RoomDeps {
  id: string;
  store: SessionStore;
  engine: InferenceEngine;
  lane: GpuLane;
  frames: VideoFrames;
  publish: Publish;
  logger: Logger;
  /** Called when the room gains or loses its last participant or job (the manager's idle timer). */
  onActivity?: () => void;
}

/** A room's lifecycle. */
export type RoomStatus =
  | { kind: 'open' }
  | { kind: 'closing' }
  | { kind: 'closed' }
  | { kind: 'broken'; error: unknown };

export class SessionRoom {
  readonly id: string;
  status: RoomStatus = { kind: 'open' };
  readonly binding: EngineBinding;
  private readonly members = new Members();
  private readonly history = new History();
  private readonly results = new Map<string, Promise<unknown>>();
  private readonly recent: RecentFacts;
  /** Facts records applied since the last store snapshot (or since the start of the log). */
  private recordsSinceSnapshot = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private tail: Promise<unknown> = Promise.resolve();
  /**
   * Settles once every command and record in flight on an object is done (applied or failed);
   * absent when none is. An object-local command waits only for these (see `localObjectOf`).
   */
  private readonly pendingByObject = new Map<number, Promise<void>>();
  /** Object-local commands not yet done; every other command waits for all of them first. */
  private readonly localInFlight = new Set<Promise<void>>();
  private pending = 0;
  readonly token = new CancelToken();
  readonly jobs: PropagationJobs;
  lastUsed = Date.now();

  constructor(
    readonly deps: RoomDeps,
    readonly state: SessionState,
    ringBase: number,
  ) {
    this.id = deps.id;
    this.recent = new RecentFacts(ringBase);
    this.binding = new EngineBinding(deps.engine, deps.frames);
    this.jobs = new PropagationJobs(this);
  }

  // ── records ────────────────────────────────────────────────────────────────────────────────────

  /** Applies a stored record (live after its append, or on replay) to the document, history, dedupe and ring. */
  applyRecord(rec: FactsRecord, seq: number): DurableFact[] {
    const facts = withSeq(rec.facts, seq);
    for (const f of facts) this.state.apply(f);
    this.state.seq = Math.max(this.state.seq, seq);
    if (rec.by) {
      if (rec.kind === 'command' && rec.undo)
        this.history.recordEdit(rec.by, { command: rec.command ?? '', facts: rec.undo });
      else if (rec.kind === 'undo')
        this.history.recordUndo(rec.by, { command: rec.command ?? '', facts: rec.redo ?? [] });
      else if (rec.kind === 'redo')
        this.history.recordRedo(rec.by, { command: rec.command ?? '', facts: rec.undo ?? [] });
    }
    if (rec.commandId && !this.results.has(rec.commandId))
      this.remember(rec.commandId, Promise.resolve(resultFor(rec, facts, seq)));
    this.recent.push(seq, facts);
    this.recordsSinceSnapshot += 1;
    return facts;
  }

  /** Notes a record seq the ring does not need (ingest records) so catch-up knows it is covered. */
  skipRecord(seq: number): void {
    this.recent.skip(seq);
    this.state.seq = Math.max(this.state.seq, seq);
  }

  private remember(commandId: string, result: Promise<unknown>): void {
    this.results.set(commandId, result);
    if (this.results.size > DEDUPE_ENTRIES) this.results.delete(this.results.keys().next().value!);
  }

  /**
   * Appends a record; once durable applies it, runs `onApplied`, broadcasts its facts and resolves.
   * Appends are issued in call order without waiting for each other (group commit), and applied
   * in that same order.
   */
  commit(
    rec: FactsRecord,
    onApplied?: (facts: DurableFact[]) => void,
  ): Promise<{ seq: number; facts: DurableFact[] }> {
    if (this.status.kind === 'broken')
      return Promise.reject(new RotoError('INTERNAL', 'This session cannot store changes'));
    for (const f of rec.facts)
      if (f.type === 'mask:updated') f.version = this.nextVersion(f.objectId, f.frame);
    const appended = this.deps.store.append(this.id, encodeFactsRecord(rec));
    const done = this.tail.then(async () => {
      let seq: number;
      try {
        ({ seq } = await appended);
      } catch (err) {
        this.status = { kind: 'broken', error: err };
        this.deps.logger.error('session log append failed; the session stops taking changes', {
          sessionId: this.id,
          err,
        });
        throw err;
      }
      const facts = this.applyRecord(rec, seq);
      onApplied?.(facts);
      for (const f of facts) this.deps.publish(this.id, f);
      return { seq, facts };
    });
    this.tail = done.catch(() => undefined);
    for (const objectId of factObjectIds(rec.facts)) this.holdObject(objectId, done);
    return done;
  }

  /** Makes later object-local commands on `objectId` wait until `work` is done. */
  private holdObject(objectId: number, work: Promise<unknown>): void {
    const before = this.pendingByObject.get(objectId);
    const settled = (before ? Promise.all([before, work]) : work).then(
      () => undefined,
      () => undefined,
    );
    this.pendingByObject.set(objectId, settled);
    void settled.then(() => {
      if (this.pendingByObject.get(objectId) === settled) this.pendingByObject.delete(objectId);
    });
  }

  private readonly versions = new Map<string, number>();
  private nextVersion(objectId: number, frame: number): number {
    const key = `${objectId}:${frame}`;
    const v = Math.max(this.versions.get(key) ?? 0, this.state.maskVersion(objectId, frame)) + 1;
    this.versions.set(key, v);
    return v;
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Runs a command (deduplicated by its `commandId`: a retry gets the first answer) and resolves
   * with its ack data once its facts are durable.
   */
  execute(actor: Actor, cmd: RoomCommand): Promise<unknown> {
    this.lastUsed = Date.now();
    if (actor.role !== 'editor') {
      return Promise.reject(
        new RotoError('FORBIDDEN', `Viewers cannot send ${cmd.type}; ask for an editor link`),
      );
    }
    const known = this.results.get(cmd.payload.commandId);
    if (known) return known;
    const objectId = localObjectOf(cmd);
    const run =
      objectId === undefined
        ? this.enqueue(async () => {
            await Promise.all(this.localInFlight);
            return this.dispatch(actor, cmd);
          })
        : this.enqueue(async () => {
            await this.pendingByObject.get(objectId);
            const done = this.dispatch(actor, cmd);
            this.holdObject(objectId, done);
            const settled = done.then(
              () => undefined,
              () => undefined,
            );
            this.localInFlight.add(settled);
            void settled.then(() => this.localInFlight.delete(settled));
            // Wrapped, not awaited: the queue moves on while this command runs and becomes durable.
            return { done };
          }).then((r) => r.done);
    this.remember(cmd.payload.commandId, run);
    // A failed command may be retried with the same id once the cause is fixed.
    run.catch(() => this.results.delete(cmd.payload.commandId));
    return run;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    if (this.status.kind !== 'open')
      return Promise.reject(new RotoError('BUSY', 'This session is being unloaded; retry'));
    this.pending += 1;
    const run = this.queue.then(fn);
    this.queue = run
      .catch(() => undefined)
      .finally(() => {
        this.pending -= 1;
        this.deps.onActivity?.();
      });
    return run;
  }

  private async dispatch(actor: Actor, cmd: RoomCommand): Promise<unknown> {
    const by = actor.clientId;
    // Reads the document and issues the append synchronously (object-local commands rely on it:
    // their facts are computed before the queue moves on), then resolves once durable.
    const edit = (command: string, commandId: string, facts: FactBody[]) => {
      const undo = this.state.inverse(facts);
      const committed = this.commit({ kind: 'command', command, commandId, by, facts, undo });
      return committed.then(({ seq, facts: stored }) =>
        resultFor({ kind: 'command', command, facts }, stored, seq),
      );
    };
    switch (cmd.type) {
      case 'prompt:add':
        return runPromptAdd(this, actor, cmd.payload);
      case 'prompt:clear':
        return edit(cmd.type, cmd.payload.commandId, promptClearFacts(this.state, cmd.payload));
      case 'object:create':
        return edit(cmd.type, cmd.payload.commandId, objectCreateFacts(this.state, cmd.payload));
      case 'object:update':
        return edit(cmd.type, cmd.payload.commandId, objectUpdateFacts(this.state, cmd.payload));
      case 'object:delete': {
        const objectId = cmd.payload.objectId;
        const result = await edit(cmd.type, cmd.payload.commandId, objectDeleteFacts(this.state, objectId));
        void this.deps.lane
          .run({
            priority: 'interactive',
            label: `forget ${this.id}/o${objectId}`,
            fn: async () => this.binding.forget(objectId),
          })
          .catch(() => undefined);
        return result;
      }
      case 'propagation:start':
        return this.jobs.start(actor, cmd.payload);
      case 'job:cancel':
        return this.jobs.cancel(actor, cmd.payload.jobId);
      case 'history:undo':
      case 'history:redo':
        return runHistoryStep(this, this.history, actor, cmd.type, cmd.payload.commandId);
      default: {
        const never: never = cmd;
        throw new RotoError('INVALID_INPUT', `Unknown command ${(never as { type: string }).type}`);
      }
    }
  }

  /** Stored masks (a query: no queue, no record). */
  fetchMasks(q: MasksFetchQuery): MasksFetchAck {
    this.lastUsed = Date.now();
    const { masks, more } = this.state.fetchMasks(q.objectIds, q.range, q.limit);
    return { masks: packBinary(masks), more };
  }

  // ── participants ───────────────────────────────────────────────────────────────────────────────

  /**
   * Adds a participant and answers with the snapshot and the facts after `lastSeq`. `attach` gets
   * the answer synchronously, at the instant the snapshot is taken: the realtime layer joins the
   * socket to the broadcast room and sends the ack there, so every later fact reaches the
   * participant exactly once, after the ack.
   */
  async join(actor: Actor, lastSeq: number | undefined, attach: (ack: JoinAck) => void): Promise<JoinAck> {
    if (this.status.kind !== 'open') throw new RotoError('BUSY', 'This session is being unloaded; retry');
    this.lastUsed = Date.now();
    const older = await this.recent.readOlder(this.deps.store, this.id, lastSeq);
    // From here on, synchronous: the snapshot, the catch-up and the room membership agree.
    const seq = this.state.seq;
    const participant = this.members.add(actor);
    const ack: JoinAck = {
      participantId: actor.participantId,
      role: actor.role,
      snapshot: {
        sessionId: this.id,
        media: this.state.media,
        objects: [...this.state.objects.values()].sort((a, b) => a.id - b.id),
        prompts: this.state.promptList(),
        masks: this.state.maskIndex(),
        participants: this.members.list(),
        jobs: this.state.runningJobs(),
        seq,
      },
      catchUp: this.recent.collect(lastSeq, seq, older),
    };
    attach(ack);
    this.deps.publish(this.id, { type: 'participant:joined', participant }, { except: actor.participantId });
    this.deps.onActivity?.();
    return ack;
  }

  leave(participantId: string): void {
    if (!this.members.remove(participantId)) return;
    this.deps.publish(this.id, { type: 'participant:left', participantId });
    this.deps.onActivity?.();
  }

  presence(participantId: string, update: PresenceUpdate): void {
    const presence = this.members.updatePresence(participantId, update);
    if (!presence) return;
    this.deps.publish(
      this.id,
      { type: 'presence:updated', participantId, presence },
      { except: participantId, volatile: true },
    );
  }

  /** Publishes a volatile fact (job progress). */
  publishVolatile(fact: Fact): void {
    this.deps.publish(this.id, fact, { volatile: true });
  }

  get participantCount(): number {
    return this.members.size;
  }

  /** No participant, no command queued, no job running: the manager may unload it. */
  isIdle(): boolean {
    return this.members.size === 0 && this.pending === 0 && this.jobs.runningCount === 0;
  }

  /** Bytes of masks held in memory (the manager's budget). */
  memoryBytes(): number {
    return this.state.maskBytes;
  }

  /** Stops taking commands, cancels jobs, waits for in-flight work and frees the engine state. */
  async close(reason = 'the session was unloaded'): Promise<void> {
    if (this.status.kind === 'closing' || this.status.kind === 'closed') return;
    this.status = { kind: 'closing' };
    this.token.cancel(reason);
    await this.jobs.settled();
    await this.queue.catch(() => undefined);
    await this.tail.catch(() => undefined);
    if (this.recordsSinceSnapshot >= SNAPSHOT_AFTER_RECORDS && this.status.kind === 'closing') {
      await this.writeSnapshot().catch((err: unknown) =>
        this.deps.logger.warn('could not write a session snapshot; the log stays whole', {
          sessionId: this.id,
          err,
        }),
      );
    }
    this.binding.dispose();
    this.status = { kind: 'closed' };
  }

  /** Stores the document and histories as a store snapshot at the current seq (the log is compacted). */
  async writeSnapshot(): Promise<void> {
    const { json, bin } = packBinary({ ...this.state.toSnapshot(), history: this.history.toJSON() });
    await this.deps.store.snapshot(
      this.id,
      bin ? { payload: json, attachment: bin } : { payload: json },
      this.state.seq,
    );
    this.recordsSinceSnapshot = 0;
  }

  /** Restores undo/redo stacks saved in a store snapshot. */
  restoreHistory(saved: NonNullable<StateSnapshot['history']>): void {
    this.history.load(saved);
  }

  /** A fresh job id. */
  newJobId(): string {
    return randomUUID();
  }
}
