/**
 * The SDK under a low per-connection rate limit (R21: RATE_LIMIT_COMMANDS_PER_SEC=15, burst 5):
 * a burst of 100 commands all succeed through RATE_LIMITED retries and take effect in the order
 * they were issued; once the client knows the limit, the replay of its offline queue after a
 * reconnect is paced and the server refuses nothing; with retries off, the refusal reaches the
 * caller. The server's refusals are counted on the server. Real server on port 0, real sockets.
 */
import { type Fact, type ObjectAck, RotoError } from '@roto/shared';
import { type ConnectOptions, RotoClient } from '@roto/shared/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionRateLimit } from '../src/access/rate-limit.ts';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';
import { FlakyNetwork } from './sdk-network.ts';
import { createSceneSession, tempDataDir } from './support/server-realtime.ts';
import { makeScene } from './support/synthetic.ts';

const PER_SEC = 15;
const BURST = 5;

let engine: OnnxEngine;
let app: App;
let store: FileSessionStore;
let url: string;
let network: FlakyNetwork;
let removeDir: () => Promise<void>;
let sessionId: string;
/** RATE_LIMITED answers the server has given, in total. */
let refusals = 0;
const clients: RotoClient[] = [];

beforeAll(async () => {
  engine = createOnnxEngine({ pack: 'test-tiny' });
  const tmp = await tempDataDir();
  removeDir = tmp.remove;
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: tmp.dir,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_COMMANDS_PER_SEC: String(PER_SEC),
    RATE_LIMIT_BURST: String(BURST),
  });
  // The server's own limiter, built from the same configuration, with its refusals counted.
  const limit = connectionRateLimit(config.rateLimit);
  store = new FileSessionStore({ dataDir: tmp.dir });
  app = createApp({
    config,
    engine,
    store,
    logger: createLogger({ level: 'silent' }),
    realtime: {
      beforeEvent: (socket, event) => {
        try {
          return limit(socket, event);
        } catch (err) {
          if (err instanceof RotoError && err.code === 'RATE_LIMITED') refusals += 1;
          throw err;
        }
      },
    },
  });
  url = `http://127.0.0.1:${(await app.listen()).port}`;
  network = await new FlakyNetwork(Number(new URL(url).port)).listen();
  sessionId = await createSceneSession(store, makeScene({ frames: 2 }));
});

afterAll(async () => {
  for (const c of clients) c.close();
  await network.close();
  await app.close({ graceMs: 100 });
  await store.closeAll();
  await engine.close();
  await removeDir();
});

async function join(name: string, opts: Partial<ConnectOptions> = {}) {
  const client = await RotoClient.connect({
    url,
    sessionId,
    user: { name },
    reconnectionDelayMs: 50,
    reconnectionDelayMaxMs: 100,
    ...opts,
  });
  clients.push(client);
  const facts: Fact[] = [];
  client.on('object:updated', (f) => facts.push(f));
  /** The names `object:updated` facts gave, in the order they came: of one object, or of all. */
  const renames = (objectId?: number) =>
    facts.flatMap((f) =>
      f.type === 'object:updated' && (objectId === undefined || f.object.id === objectId)
        ? [f.object.name]
        : [],
    );
  return { client, renames };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('SDK: rate limits', () => {
  let writer: Awaited<ReturnType<typeof join>>;
  let watcher: Awaited<ReturnType<typeof join>>;
  let objectIds: number[];
  let objectId: number;

  beforeAll(async () => {
    // The writer goes through the relay (cut below); it is not told the server's limit.
    writer = await join('writer', { url: network.url });
    watcher = await join('watcher');
    objectIds = [];
    for (const name of ['a', 'b', 'c', 'd'])
      objectIds.push((await writer.client.createObject({ name })).object.id);
    objectId = objectIds[0]!;
  });

  it('R21: a burst of 100 renames over four objects all succeed through retries, in issue order per object', async () => {
    const before = refusals;
    const issued = names('burst-', 100).map((name, i) => ({ objectId: objectIds[i % 4]!, name }));
    const acks = await Promise.all(issued.map((c) => writer.client.updateObject(c)));
    console.log(`burst of 100 at ${PER_SEC}/s (burst ${BURST}): ${refusals - before} RATE_LIMITED retried`);
    expect(refusals - before).toBeGreaterThan(0);
    expect(acks.map((a: ObjectAck) => a.object.name)).toEqual(names('burst-', 100));
    // The other participant sees each rename once, and each object's renames in issue order.
    await until(() => watcher.renames().length >= 100, 'the watcher to see every rename');
    expect([...watcher.renames()].sort()).toEqual(names('burst-', 100).sort());
    for (const id of objectIds) {
      const mine = issued.filter((c) => c.objectId === id).map((c) => c.name);
      expect(watcher.renames(id)).toEqual(mine);
      expect(writer.renames(id)).toEqual(mine);
    }
  });

  it('R21: after a reconnect, the offline queue is replayed paced to the learnt limit: nothing refused', async () => {
    network.cut();
    await until(() => writer.client.state === 'reconnecting', 'the writer to notice the cut');
    const queued = names('offline-', 30).map((name) => writer.client.updateObject({ objectId, name }));
    expect(writer.client.pendingCommands).toBe(30);
    const before = refusals;
    network.restore();
    const acks = await Promise.all(queued);
    expect(acks.map((a) => a.object.name)).toEqual(names('offline-', 30));
    expect(refusals - before).toBe(0);
    await until(() => watcher.renames().length >= 130, 'the watcher to see the replay');
    expect(watcher.renames(objectId).slice(25)).toEqual(names('offline-', 30));
  });

  it('R21, R15: an undo issued right after a burst of renames undoes the last of them', async () => {
    const { client } = await join('undoer');
    const { object } = await client.createObject({ name: 'mine' });
    const before = refusals;
    const renames = names('u', 12).map((name) => client.updateObject({ objectId: object.id, name }));
    await Promise.all([...renames, client.undo()]);
    expect(refusals - before).toBeGreaterThan(0);
    const late = await join('late');
    expect(late.client.snapshot.objects.find((o) => o.id === object.id)?.name).toBe('u10');
  });

  it('R21: with retries and pacing off, the refusal reaches the caller with retryAfterMs', async () => {
    const { client } = await join('impatient', { rateLimit: false, rateLimitRetries: 0 });
    const results = await Promise.allSettled(
      names('hasty-', 20).map((name) => client.updateObject({ objectId, name })),
    );
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as RotoError] : []));
    expect(refused.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(BURST - 1);
    for (const err of refused) {
      expect(err.code).toBe('RATE_LIMITED');
      expect(err.details).toMatchObject({ retryAfterMs: expect.any(Number), attempts: 1, perSec: PER_SEC });
    }
  });
});
