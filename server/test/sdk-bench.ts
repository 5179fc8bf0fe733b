/**
 * What the SDK costs over a bare Socket.IO client: sequential command round trips (`object:update`,
 * each one a durable op-log record) through `RotoClient.updateObject` against the same commands
 * sent with `socket.emitWithAck` on the same server, interleaved. Prints p50, p99, mean and the
 * SDK / bare ratios.
 *
 *   npx tsx server/test/sdk-bench.ts [rounds]
 */
import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from '@roto/shared';
import { RotoClient } from '@roto/shared/sdk';
import { io } from 'socket.io-client';
import { createOnnxEngine } from '../src/inference/onnx-engine.ts';
import { createSceneSession, startRealtimeServer, tempDataDir } from './support/server-realtime.ts';
import { makeScene } from './support/synthetic.ts';

const ROUNDS = Number(process.argv[2] ?? 300);

function stats(ms: number[]): { p50: number; p99: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

const fmt = (x: { p50: number; p99: number; mean: number }) =>
  `p50 ${x.p50.toFixed(2)} ms, p99 ${x.p99.toFixed(2)} ms, mean ${x.mean.toFixed(2)} ms`;

const engine = createOnnxEngine({ pack: 'test-tiny' });
const tmp = await tempDataDir();
const server = await startRealtimeServer(engine, tmp.dir);
try {
  const sessionId = await createSceneSession(server.store, makeScene({ frames: 2 }));
  const sdk = await RotoClient.connect({
    url: server.url,
    sessionId,
    user: { name: 'sdk' },
    transports: ['websocket'],
  });
  const bare = io(server.url, { transports: ['websocket'], forceNew: true });
  const joined = await bare.emitWithAck('session:join', {
    protocolVersion: PROTOCOL_VERSION,
    sessionId,
    user: { name: 'bare' },
  });
  if (!joined.ok) throw new Error(joined.error.message);
  const { object } = await sdk.createObject({ name: 'bench' });

  const bareRound = async (i: number) => {
    const t = performance.now();
    const r = await bare.emitWithAck('object:update', {
      commandId: randomUUID(),
      objectId: object.id,
      name: `b${i}`,
    });
    if (!r.ok) throw new Error(r.error.message);
    return performance.now() - t;
  };
  const sdkRound = async (i: number) => {
    const t = performance.now();
    await sdk.updateObject({ objectId: object.id, name: `s${i}` });
    return performance.now() - t;
  };
  // Warm up both paths, then interleave them so disk and CPU noise hit both alike.
  for (let i = 0; i < 20; i++) {
    await bareRound(i);
    await sdkRound(i);
  }
  const bareMs: number[] = [];
  const sdkMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    bareMs.push(await bareRound(i));
    sdkMs.push(await sdkRound(i));
  }
  const b = stats(bareMs);
  const s = stats(sdkMs);
  console.log(`command round trip, ${ROUNDS} sequential object:update each (durable records):`);
  console.log(`  bare socket.io-client emitWithAck: ${fmt(b)}`);
  console.log(`  RotoClient.updateObject:           ${fmt(s)}`);
  console.log(`  ratio SDK / bare: p50 ${(s.p50 / b.p50).toFixed(2)}, mean ${(s.mean / b.mean).toFixed(2)}`);
  sdk.close();
  bare.close();
} finally {
  await server.stop();
  await engine.close();
  await tmp.remove();
}
