/**
 * How long a burst of commands takes to get through a per-connection rate limit (R21) with the
 * SDK, against the floor the limit itself sets ((N − burst) / perSec: no client can be faster):
 *
 * - `told`: the client is given the server's limit (`rateLimit`), so it paces from the start;
 * - `learnt`: the client assumes the server defaults and learns the limit from the first refusal;
 * - `retry only`: no pacing (`rateLimit: false`), every refusal retried after `retryAfterMs`.
 *
 * Prints the time, the ratio to the floor, the RATE_LIMITED answers the server gave, and whether
 * the renames took effect in the order issued.
 *
 *   npx tsx server/test/sdk-ratelimit-bench.ts [commands] [perSec] [burst]
 */
import { RotoError } from '@roto/shared';
import { type ConnectOptions, RotoClient } from '@roto/shared/sdk';
import { connectionRateLimit } from '../src/access/rate-limit.ts';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import { createOnnxEngine } from '../src/inference/onnx-engine.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';
import { createSceneSession, tempDataDir } from './support/server-realtime.ts';
import { makeScene } from './support/synthetic.ts';

const N = Number(process.argv[2] ?? 200);
const PER_SEC = Number(process.argv[3] ?? 50);
const BURST = Number(process.argv[4] ?? 10);

const engine = createOnnxEngine({ pack: 'test-tiny' });
const tmp = await tempDataDir();
const config = loadConfig({
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: tmp.dir,
  LOG_LEVEL: 'silent',
  RATE_LIMIT_COMMANDS_PER_SEC: String(PER_SEC),
  RATE_LIMIT_BURST: String(BURST),
});
const limit = connectionRateLimit(config.rateLimit);
let refusals = 0;
const store = new FileSessionStore({ dataDir: tmp.dir });
const app = createApp({
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
const url = `http://127.0.0.1:${(await app.listen()).port}`;

async function run(label: string, opts: Partial<ConnectOptions>): Promise<void> {
  const sessionId = await createSceneSession(store, makeScene({ frames: 2 }));
  const client = await RotoClient.connect({ url, sessionId, user: { name: label }, ...opts });
  const seen: string[] = [];
  client.on('object:updated', (f) => seen.push(f.object.name));
  const { object } = await client.createObject({ name: 'bench' });
  // A fresh connection's bucket, minus the join and the create.
  await new Promise((r) => setTimeout(r, (BURST * 1000) / PER_SEC));
  const before = refusals;
  const t = performance.now();
  const names = Array.from({ length: N }, (_, i) => `n${i}`);
  await Promise.all(names.map((name) => client.updateObject({ objectId: object.id, name })));
  const ms = performance.now() - t;
  const floorMs = ((N - BURST) * 1000) / PER_SEC;
  const inOrder = seen.join() === names.join();
  console.log(
    `  ${label.padEnd(11)} ${(ms / 1000).toFixed(2)} s, ${(ms / floorMs).toFixed(2)}× the floor, ` +
      `${refusals - before} RATE_LIMITED, in order: ${inOrder ? 'yes' : 'NO'}`,
  );
  client.close();
}

try {
  const floor = ((N - BURST) / PER_SEC).toFixed(2);
  console.log(`${N} object:update at once, server limit ${PER_SEC}/s burst ${BURST} (floor ${floor} s):`);
  await run('told', { rateLimit: { perSec: PER_SEC, burst: BURST } });
  await run('learnt', {});
  await run('retry only', { rateLimit: false, rateLimitRetries: 1000 });
} finally {
  await app.close({ graceMs: 100 });
  await store.closeAll();
  await engine.close();
  await tmp.remove();
}
