/**
 * Realtime test support: a real server on port 0 with a file store and the real engine on the
 * test pack, sessions made from synthetic scenes the way ingest leaves them (frames in the blob
 * area, `session:created` and `ingested` records), and socket.io-client participants.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DurableFact,
  type Fact,
  INGEST_RECORD_TYPES,
  type JoinAck,
  PROTOCOL_VERSION,
  type Result,
} from '@roto/shared';
import { DURABLE_FACT_TYPES, VOLATILE_FACT_SCHEMAS } from '@roto/shared/sdk';
import { io, type Socket } from 'socket.io-client';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { InferenceEngine } from '../../src/inference/engine.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { RealtimeOptions } from '../../src/realtime/attach.ts';
import { FileSessionStore } from '../../src/storage/file-session-store.ts';
import type { Scene } from './synthetic.ts';
import { writeSceneFrames } from './synthetic-video.ts';

/** A running server. */
export interface RealtimeServer {
  app: App;
  url: string;
  store: FileSessionStore;
  dataDir: string;
  /** Stops the app and closes the store (the data dir stays, for a restart). */
  stop(): Promise<void>;
}

/** Starts the app on port 0 over `dataDir` with the given engine. */
export async function startRealtimeServer(
  engine: InferenceEngine,
  dataDir: string,
  realtime: RealtimeOptions = {},
): Promise<RealtimeServer> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const store = new FileSessionStore({ dataDir });
  const app = createApp({ config, engine, store, realtime, logger: createLogger({ level: 'silent' }) });
  const address = await app.listen();
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    store,
    dataDir,
    stop: async () => {
      await app.close({ graceMs: 100 });
      await store.closeAll();
    },
  };
}

/** A temp data dir, removed by the returned function. */
export async function tempDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'roto-rt-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Creates a session from a synthetic scene as ingest would: JPEG frames + the two ingest records. */
export async function createSceneSession(store: FileSessionStore, scene: Scene): Promise<string> {
  const id = randomUUID().replaceAll('-', '').slice(0, 20);
  await store.create(id);
  const dir = await store.blobs.prepare(id, 'frames/00000.jpg');
  await writeSceneFrames(scene, join(dir, '..'));
  const media = {
    kind: 'video' as const,
    width: scene.width,
    height: scene.height,
    fps: scene.fps,
    frameCount: scene.frames.length,
    durationSec: scene.frames.length / scene.fps,
    hasAudio: false,
  };
  await store.append(id, {
    type: INGEST_RECORD_TYPES.created,
    payload: { media, source: { kind: 'upload' }, container: 'mp4' },
  });
  await store.append(id, {
    type: INGEST_RECORD_TYPES.ingested,
    payload: {
      media,
      frames: { dir: 'frames', count: scene.frames.length, width: scene.width, height: scene.height },
      thumbnails: {
        version: 1,
        sprite: 'sprite.jpg',
        width: 1,
        height: 1,
        tileWidth: 1,
        tileHeight: 1,
        columns: 1,
        rows: 1,
        tiles: [],
        dir: 'thumbnails',
      },
    },
  });
  await store.close(id);
  return id;
}

/** Every fact event a participant can receive: the contract's durable and volatile facts. */
const FACT_EVENTS: readonly string[] = [...DURABLE_FACT_TYPES, ...Object.keys(VOLATILE_FACT_SCHEMAS)];

/** A participant: a real socket.io-client socket that records every fact it receives. */
export class Participant {
  readonly socket: Socket;
  readonly facts: Fact[] = [];
  /** Durable facts that had arrived when the last join ack did (0: the ack came first). */
  durableFactsBeforeAck = 0;
  private waiters: Array<() => void> = [];

  /** `auth` is sent in the handshake (what an access-control or rate-limit layer would read). */
  constructor(url: string, auth?: Record<string, unknown>) {
    this.socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      ...(auth ? { auth } : {}),
    });
    for (const event of FACT_EVENTS) {
      this.socket.on(event, (fact: Fact) => {
        this.facts.push(fact);
        for (const w of this.waiters.splice(0)) w();
      });
    }
  }

  /** Sends an event and resolves with its ack. */
  request<T = unknown>(event: string, payload: unknown): Promise<Result<T>> {
    return this.socket.timeout(60_000).emitWithAck(event, payload) as Promise<Result<T>>;
  }

  /** Sends a command with a fresh commandId; returns the ack data, throwing on a failure ack. */
  async command<T = Record<string, unknown>>(
    event: string,
    payload: Record<string, unknown> = {},
  ): Promise<T> {
    const res = await this.request<T>(event, { commandId: randomUUID(), ...payload });
    if (!res.ok) throw new Error(`${event} failed: ${res.error.code} ${res.error.message}`);
    return res.data;
  }

  async join(
    sessionId: string,
    opts: { name?: string; lastSeq?: number; clientId?: string; token?: string } = {},
  ): Promise<JoinAck> {
    const payload = {
      protocolVersion: PROTOCOL_VERSION,
      sessionId,
      user: { name: opts.name ?? 'tester' },
      ...(opts.lastSeq !== undefined ? { lastSeq: opts.lastSeq } : {}),
      ...(opts.clientId ? { clientId: opts.clientId } : {}),
      ...(opts.token ? { token: opts.token } : {}),
    };
    // The ack callback (not a promise continuation) runs in packet order, so it sees exactly the
    // facts that arrived before the ack.
    const res = await new Promise<Result<JoinAck>>((resolve, reject) => {
      this.socket.timeout(60_000).emit('session:join', payload, (err: Error | null, r: Result<JoinAck>) => {
        if (err) return reject(err);
        this.durableFactsBeforeAck = this.facts.filter((f) => 'seq' in f).length;
        resolve(r);
      });
    });
    if (!res.ok) throw new Error(`join failed: ${res.error.code} ${res.error.message}`);
    return res.data;
  }

  /** Facts of one type received so far. */
  of<T extends Fact['type']>(type: T): Array<Extract<Fact, { type: T }>> {
    return this.facts.filter((f) => f.type === type) as Array<Extract<Fact, { type: T }>>;
  }

  /** Resolves once `predicate` holds over the received facts (checked on every new fact). */
  async waitFor(predicate: (p: this) => boolean, what = 'condition'): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  }

  /** Highest durable seq received. */
  lastSeq(): number {
    return Math.max(0, ...this.facts.filter((f): f is DurableFact => 'seq' in f).map((f) => f.seq));
  }

  async connected(): Promise<void> {
    if (this.socket.connected) return;
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  close(): void {
    this.socket.close();
  }
}
