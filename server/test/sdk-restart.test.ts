/**
 * The SDK across a server restart (R14): the server closes every socket on shutdown, which
 * Socket.IO clients do not reconnect from by themselves; the SDK does, rejoins with its lastSeq,
 * and delivers a command typed during the outage once the new process is up on the same data.
 */
import { RotoClient } from '@roto/shared/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { FlakyNetwork } from './sdk-network.ts';
import {
  createSceneSession,
  type RealtimeServer,
  startRealtimeServer,
  tempDataDir,
} from './support/server-realtime.ts';
import { makeScene } from './support/synthetic.ts';

let engine: OnnxEngine;
let server: RealtimeServer;
let network: FlakyNetwork;
let data: { dir: string; remove: () => Promise<void> };

const port = (s: RealtimeServer) => Number(new URL(s.url).port);

beforeAll(async () => {
  engine = createOnnxEngine({ pack: 'test-tiny' });
  data = await tempDataDir();
  server = await startRealtimeServer(engine, data.dir);
  network = await new FlakyNetwork(port(server)).listen();
});

afterAll(async () => {
  await network.close();
  await server.stop();
  await engine.close();
  await data.remove();
});

it('R14: a client rides out a server restart: it rejoins, resumes from its lastSeq and sends what was typed meanwhile', async () => {
  const sessionId = await createSceneSession(server.store, makeScene({ frames: 4 }));
  const client = await RotoClient.connect({
    url: network.url,
    sessionId,
    user: { name: 'A' },
    reconnectionDelayMs: 100,
    reconnectionDelayMaxMs: 300,
  });
  const states: string[] = [];
  const joins: string[] = [];
  const created: string[] = [];
  client.on('state', (s) => states.push(s));
  client.on('joined', (j) => joins.push(j.kind));
  client.on('object:created', (f) => created.push(f.object.name));
  const before = await client.createObject({ name: 'before' });

  await server.stop();
  while (client.state !== 'reconnecting') await new Promise((r) => setTimeout(r, 20));
  const during = client.createObject({ name: 'during' });
  server = await startRealtimeServer(engine, data.dir);
  network.retarget(port(server));

  const obj = await during;
  expect(obj.object.name).toBe('during');
  expect(obj.seq).toBeGreaterThan(before.seq);
  expect(states).toEqual(['reconnecting', 'connected']);
  expect(joins).toEqual(['resumed']);
  expect(created).toEqual(['before', 'during']);
  expect(client.snapshot.objects.map((o) => o.name)).toEqual(['before']);
  client.close();
});
