/**
 * R14 under a crash: a server process killed with SIGKILL while participants send commands loses
 * none of the commands it acknowledged; a new process on the same DATA_DIR shows them all.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';
import {
  createSceneSession,
  Participant,
  startRealtimeServer,
  tempDataDir,
} from './support/server-realtime.ts';
import { makeScene } from './support/synthetic.ts';

const CHILD = fileURLToPath(new URL('./support/server-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

let engine: OnnxEngine;
let dataDir: string;
let removeDir: () => Promise<void>;

beforeAll(async () => {
  engine = createOnnxEngine({ pack: 'test-tiny' });
  ({ dir: dataDir, remove: removeDir } = await tempDataDir());
});

afterAll(async () => {
  await engine.close();
  await removeDir();
});

it('R14: kill -9 of the server while commands stream in loses no acknowledged command', async () => {
  const setup = new FileSessionStore({ dataDir });
  const sessionId = await createSceneSession(setup, makeScene({ frames: 2 }));
  await setup.closeAll();

  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  // Four participants send renames as fast as acks come back; the server dies under them.
  const clients = Array.from({ length: 4 }, () => new Participant(url));
  for (const c of clients) await c.join(sessionId);
  const created = await clients[0]!.command<{ object: { id: number } }>('object:create', { name: 'start' });
  const acked: Array<{ seq: number; name: string }> = [];
  let stop = false;
  const senders = clients.map(async (c, k) => {
    for (let i = 0; !stop; i++) {
      const name = `c${k}-${i}`;
      const res = await c
        .request<{ seq: number }>('object:update', {
          commandId: randomUUID(),
          objectId: created.object.id,
          name,
        })
        .catch(() => null);
      if (!res?.ok) break;
      acked.push({ seq: res.data.seq, name });
    }
  });
  while (acked.length < 100) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  await exited;
  stop = true;
  await Promise.all(senders);
  for (const c of clients) c.close();

  const server = await startRealtimeServer(engine, dataDir);
  try {
    const viewer = new Participant(server.url);
    const ack = await viewer.join(sessionId, { lastSeq: 0 });
    const last = acked.reduce((a, b) => (b.seq > a.seq ? b : a));
    expect(ack.snapshot.seq).toBeGreaterThanOrEqual(last.seq);
    // Every acknowledged rename is in the log the new process reads back, at its seq.
    const loaded = await server.store.load(sessionId);
    const bySeq = new Map(loaded.records.map((r) => [r.seq, r]));
    for (const a of acked) {
      const record = bySeq.get(a.seq);
      expect(record, `acknowledged seq ${a.seq} is in the log`).toBeDefined();
      expect((record!.payload as { facts: Array<{ object: { name: string } }> }).facts[0]!.object.name).toBe(
        a.name,
      );
    }
    // And the document shows the last of them (or a later, unacknowledged one).
    const name = ack.snapshot.objects[0]!.name;
    const finalSeq = [...bySeq.values()].findLast((r) => r.type === 'facts')!.seq;
    expect(finalSeq).toBeGreaterThanOrEqual(last.seq);
    expect(name).toBe(
      (bySeq.get(finalSeq)!.payload as { facts: Array<{ object: { name: string } }> }).facts[0]!.object.name,
    );
    viewer.close();
  } finally {
    await server.stop();
  }
});
