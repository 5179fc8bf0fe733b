/**
 * `SessionManager`: the live rooms of this process. `getOrLoad` caches the loading promise (two
 * racing joins load once); a room with nobody in it and nothing running is unloaded after
 * `IDLE_UNLOAD_MS`, or sooner, least recently used first, when the rooms' memory passes the budget.
 * Unloading waits for in-flight work; the next command on an unloaded session loads it again.
 */
import type { InferenceEngine } from '../inference/engine.ts';
import type { GpuLane } from '../lane/lane.ts';
import type { Logger } from '../observability/logger.ts';
import type { SessionStore } from '../storage/index.ts';
import { loadRoom } from './load.ts';
import type { SessionRoom } from './room.ts';
import type { Publish } from './types.ts';

/** How long an empty, quiet room stays loaded. */
export const IDLE_UNLOAD_MS = 5 * 60 * 1000;
/** Default budget for the masks all loaded rooms hold in memory. */
export const DEFAULT_ROOMS_MEMORY_BYTES = 512 * 1024 * 1024;

export interface SessionManagerOptions {
  store: SessionStore;
  engine: InferenceEngine;
  lane: GpuLane;
  logger: Logger;
  /** Where rooms' facts go (the realtime layer); set later with `setPublisher` when built first. */
  publish?: Publish;
  idleUnloadMs?: number;
  memoryBudgetBytes?: number;
}

/** A room's slot: loading, or loaded with its idle timer. */
type Slot =
  | { kind: 'loading'; promise: Promise<SessionRoom> }
  | { kind: 'loaded'; promise: Promise<SessionRoom>; room: SessionRoom; idleTimer: NodeJS.Timeout | null }
  | { kind: 'unloading'; done: Promise<void> };

export class SessionManager {
  private readonly slots = new Map<string, Slot>();
  private publish: Publish;
  private readonly idleUnloadMs: number;
  private readonly memoryBudgetBytes: number;
  private closed = false;

  constructor(private readonly opts: SessionManagerOptions) {
    this.publish = opts.publish ?? (() => {});
    this.idleUnloadMs = opts.idleUnloadMs ?? IDLE_UNLOAD_MS;
    this.memoryBudgetBytes = opts.memoryBudgetBytes ?? DEFAULT_ROOMS_MEMORY_BYTES;
  }

  /** Sets where facts go (the realtime layer is built after the manager). */
  setPublisher(publish: Publish): void {
    this.publish = publish;
  }

  /** The live room of a session, loading it once however many callers race. */
  async getOrLoad(id: string): Promise<SessionRoom> {
    for (;;) {
      const slot = this.slots.get(id);
      if (!slot) break;
      if (slot.kind === 'unloading') {
        await slot.done;
        continue;
      }
      const room = await slot.promise;
      if (room.status.kind === 'broken') {
        // Its log refused an append: drop the in-memory state and reload what is durable.
        await this.unload(id);
        continue;
      }
      room.lastUsed = Date.now();
      return room;
    }
    const promise = loadRoom({
      id,
      store: this.opts.store,
      engine: this.opts.engine,
      lane: this.opts.lane,
      logger: this.opts.logger.child({ sessionId: id }),
      publish: (sessionId, fact, options) => this.publish(sessionId, fact, options),
      onActivity: () => this.onActivity(id),
    });
    this.slots.set(id, { kind: 'loading', promise });
    try {
      const room = await promise;
      this.slots.set(id, { kind: 'loaded', promise, room, idleTimer: null });
      this.onActivity(id);
      this.enforceBudget();
      return room;
    } catch (err) {
      this.slots.delete(id);
      // A session that was never loaded must not stay open in the store.
      await this.opts.store.close(id).catch(() => undefined);
      throw err;
    }
  }

  /** The room if loaded (no load). */
  peek(id: string): SessionRoom | undefined {
    const slot = this.slots.get(id);
    return slot?.kind === 'loaded' ? slot.room : undefined;
  }

  /** Ids of loaded rooms. */
  loadedIds(): string[] {
    return [...this.slots].filter(([, s]) => s.kind === 'loaded').map(([id]) => id);
  }

  private onActivity(id: string): void {
    const slot = this.slots.get(id);
    if (slot?.kind !== 'loaded' || this.closed) return;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    if (!slot.room.isIdle()) return;
    slot.idleTimer = setTimeout(() => {
      // Work may have arrived since the timer was set without ending yet: look again.
      if (slot.room.isIdle()) void this.unload(id).catch(() => undefined);
      else this.onActivity(id);
    }, this.idleUnloadMs);
    slot.idleTimer.unref();
  }

  /** Unloads idle rooms, least recently used first, while the rooms' memory is over budget. */
  private enforceBudget(): void {
    const loaded = [...this.slots.values()].flatMap((s) => (s.kind === 'loaded' ? [s.room] : []));
    let total = loaded.reduce((sum, r) => sum + r.memoryBytes(), 0);
    for (const room of loaded.sort((a, b) => a.lastUsed - b.lastUsed)) {
      if (total <= this.memoryBudgetBytes) break;
      if (!room.isIdle()) continue;
      total -= room.memoryBytes();
      void this.unload(room.id).catch(() => undefined);
    }
  }

  /** Unloads a room (waiting for its in-flight work) and closes it in the store. */
  async unload(id: string): Promise<void> {
    const slot = this.slots.get(id);
    if (slot?.kind !== 'loaded') return slot?.kind === 'unloading' ? slot.done : undefined;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    const done = (async () => {
      await slot.room.close();
      await this.opts.store.close(id);
      const engine = this.opts.engine as { forgetVideo?: (videoId: string) => void };
      engine.forgetVideo?.(`session:${id}`);
    })();
    this.slots.set(id, { kind: 'unloading', done });
    try {
      await done;
    } finally {
      this.slots.delete(id);
    }
  }

  /** Unloads every room (shutdown): running jobs are cancelled and their end stored. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.slots.keys()].map(async (id) => {
        const slot = this.slots.get(id);
        if (slot?.kind === 'loading') await slot.promise.catch(() => undefined);
        await this.unload(id);
      }),
    );
  }
}
