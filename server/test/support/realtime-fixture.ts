/**
 * The set-up most integration tests share: the real engine on the test pack, a temp data dir and
 * the app on port 0 over it, started before the file's tests and torn down after them (clients
 * closed first, then the server, the engine and the dir).
 */
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../../src/inference/onnx-engine.ts';
import type { RealtimeOptions } from '../../src/realtime/attach.ts';
import { Participant, type RealtimeServer, startRealtimeServer, tempDataDir } from './server-realtime.ts';

/** Anything a test opens that must be closed before the server stops (sockets, SDK clients). */
export interface Closable {
  close(): unknown;
}

/** Options of {@link useRealtimeServer}. */
export interface RealtimeFixtureOptions {
  /** Hooks for the realtime layer (access and rate-limit seams). */
  realtime?: RealtimeOptions;
  /** Keep the server's data in this folder of the temp dir, leaving the rest for test files. */
  dataSubdir?: string;
}

/** The running server of a test file; its fields are set once the file's `beforeAll` has run. */
export interface RealtimeFixture {
  engine: OnnxEngine;
  /** The server now running (a new one after {@link RealtimeFixture.restart}). */
  server: RealtimeServer;
  /** The temp dir, removed after the file's tests. */
  workDir: string;
  /** Where the server keeps its data (the temp dir, or `dataSubdir` in it). */
  dataDir: string;
  /** Closed after the file's tests, before the server stops. */
  clients: Closable[];
  /** A new participant on the current server, closed after the file's tests. */
  participant(auth?: Record<string, unknown>): Participant;
  /** Stops the server and starts a new one over the same data and options, as a restart would. */
  restart(): Promise<RealtimeServer>;
  /** Stops the server now; teardown then leaves it alone. */
  stop(): Promise<void>;
}

/**
 * Registers `beforeAll`/`afterAll` hooks that start the app with the real engine on the test pack
 * over a temp data dir, and returns the fixture they fill in. Hooks a test file registers after
 * this call run after the start and before the teardown.
 */
export function useRealtimeServer(options: RealtimeFixtureOptions = {}): RealtimeFixture {
  let removeDir: () => Promise<void> = async () => {};
  let stopped = false;
  const fixture: RealtimeFixture = {
    engine: undefined as unknown as OnnxEngine,
    server: undefined as unknown as RealtimeServer,
    workDir: '',
    dataDir: '',
    clients: [],
    participant(auth) {
      const p = new Participant(fixture.server.url, auth);
      fixture.clients.push(p);
      return p;
    },
    async restart() {
      await fixture.stop();
      fixture.server = await startRealtimeServer(fixture.engine, fixture.dataDir, options.realtime);
      stopped = false;
      return fixture.server;
    },
    async stop() {
      stopped = true;
      await fixture.server.stop();
    },
  };

  beforeAll(async () => {
    fixture.engine = createOnnxEngine({ pack: 'test-tiny' });
    const tmp = await tempDataDir();
    removeDir = tmp.remove;
    fixture.workDir = tmp.dir;
    fixture.dataDir = options.dataSubdir ? join(tmp.dir, options.dataSubdir) : tmp.dir;
    fixture.server = await startRealtimeServer(fixture.engine, fixture.dataDir, options.realtime);
  });

  afterAll(async () => {
    for (const c of fixture.clients) c.close();
    if (!stopped) await fixture.server.stop();
    await fixture.engine.close();
    await removeDir();
  });

  return fixture;
}
