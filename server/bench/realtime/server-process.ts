/**
 * The benchmarked server, in its own process so that the benchmark's clients (up to 50 sockets
 * parsing every broadcast) do not share its event loop: `server-process.ts <dataDir>` builds the
 * app as `main.ts` does (file store, test-tiny pack, config from the environment it is given) on
 * 127.0.0.1, port 0, and talks to its parent over the IPC channel (`ServerMessage`s out,
 * `ParentMessage`s in).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createOnnxEngine } from '../../src/inference/onnx-engine.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { type Durability, fsDurability } from '../../src/storage/durability.ts';
import { FileSessionStore } from '../../src/storage/file-session-store.ts';

/** What the server process reports. */
export type ServerMessage =
  | { kind: 'ready'; url: string }
  | { kind: 'lane'; priority: string; label: string; waitMs: number; runMs?: number }
  | { kind: 'syncs'; count: number; totalMs: number; durationsMs: number[] }
  | { kind: 'residence'; byEvent: Record<string, number[]> }
  | { kind: 'profiled'; path: string }
  | { kind: 'stopped' };

/** What the parent asks of it. */
export type ParentMessage =
  | { kind: 'observe-lane'; on: boolean }
  | { kind: 'syncs' }
  | { kind: 'reset-syncs' }
  /** Server-side time from a command's arrival to its ack leaving, per event, since the last call. */
  | { kind: 'residence' }
  /** Starts the V8 CPU profiler, or stops it and writes the profile to `path` (.cpuprofile). */
  | { kind: 'profile'; on: true }
  | { kind: 'profile'; on: false; path: string }
  | { kind: 'stop' };

const dataDir = process.argv[2];
if (!dataDir || !process.send)
  throw new Error('usage: fork server-process.ts <dataDir> (with an IPC channel)');
const send = (m: ServerMessage) => process.send?.(m);

// fdatasync durations, to tell how much of an ack is the disk.
let syncs: number[] = [];
const timedDurability: Durability = {
  async syncFile(handle) {
    const t = performance.now();
    await fsDurability.syncFile(handle);
    syncs.push(performance.now() - t);
  },
  syncDir: (dir) => fsDurability.syncDir(dir),
};

const config = loadConfig({
  ...process.env,
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
});
const engine = createOnnxEngine({ pack: 'test-tiny' });
await engine.ready();
// A profiling knob: the op log's group-commit delay (default 3 ms when unset).
const batchDelay = process.env.BENCH_OPLOG_BATCH_DELAY_MS;
const store = new FileSessionStore({
  dataDir,
  durability: timedDurability,
  ...(batchDelay ? { maxBatchDelayMs: Number(batchDelay) } : {}),
});
const app = createApp({ config, engine, store, logger: createLogger({ level: 'silent' }) });
const address = await app.listen();

// Stamps each packet's arrival and wraps its ack callback to stamp its departure: the command's
// residence in the server (parse, room queue, lane, op log, broadcast), without the transport.
let residence: Record<string, number[]> = {};
app.realtime?.io.on('connection', (socket) => {
  socket.use((packet, next) => {
    const at = performance.now();
    const event = String(packet[0]);
    const ack = packet[packet.length - 1];
    if (typeof ack === 'function') {
      packet[packet.length - 1] = (...args: unknown[]) => {
        const list = residence[event] ?? [];
        list.push(performance.now() - at);
        residence[event] = list;
        return (ack as (...a: unknown[]) => unknown)(...args);
      };
    }
    next();
  });
});

const inspector = new Session();
inspector.connect();

let stopObserving: (() => void) | null = null;
process.on('message', (m: ParentMessage) => {
  switch (m.kind) {
    case 'observe-lane':
      stopObserving?.();
      stopObserving = m.on
        ? app.lane.observe((e) =>
            send({
              kind: 'lane',
              priority: e.priority,
              label: e.label,
              waitMs: e.waitMs,
              ...(e.runMs !== undefined ? { runMs: e.runMs } : {}),
            }),
          )
        : null;
      break;
    case 'syncs':
      send({
        kind: 'syncs',
        count: syncs.length,
        totalMs: syncs.reduce((a, b) => a + b, 0),
        durationsMs: syncs,
      });
      break;
    case 'reset-syncs':
      syncs = [];
      break;
    case 'residence':
      send({ kind: 'residence', byEvent: residence });
      residence = {};
      break;
    case 'profile':
      void (async () => {
        if (m.on) {
          await inspector.post('Profiler.enable');
          await inspector.post('Profiler.start');
          return;
        }
        const { profile } = await inspector.post('Profiler.stop');
        await writeFile(m.path, JSON.stringify(profile));
        send({ kind: 'profiled', path: m.path });
      })();
      break;
    case 'stop':
      void (async () => {
        stopObserving?.();
        await app.close({ graceMs: 100 });
        await store.closeAll();
        await engine.close();
        send({ kind: 'stopped' });
        process.disconnect();
      })();
      break;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});
send({ kind: 'ready', url: `http://127.0.0.1:${address.port}` });
