/**
 * `npm run bench:rest`: what the REST API costs on top of the realtime path it mirrors, on the
 * test-tiny pack with a 320×240 synthetic clip. Server and clients share this process; REST and
 * Socket.IO runs alternate so a busy machine slows both alike.
 *
 *   click → mask: `POST /api/v1/sessions/:id/prompts` (answer: COCO RLE JSON) against the same
 *     click as `prompt:add` over Socket.IO (answer: RM bytes), warm embedding, a new object each
 *     click; p50, p95 and the REST / Socket.IO ratio of p50s.
 *   masks of a frame: `GET …/frames/:n/masks` (RLE JSON, every object) against `masks:fetch` for
 *     the same frame over Socket.IO.
 *   seed-003 overlay: `GET /overlay/:sid/:n` (frame decode, blend, JPEG) against the v1 indexed PNG
 *     of the same masks (no frame pixels).
 */
import { cpus, loadavg } from 'node:os';
import { createOnnxEngine } from '../src/inference/onnx-engine.ts';
import {
  createSceneSession,
  Participant,
  startRealtimeServer,
  tempDataDir,
} from '../test/support/server-realtime.ts';
import { interiorPoint, makeScene, SCENE_IDS, sceneObject } from '../test/support/synthetic.ts';

const quick = process.argv.includes('--quick');
const CLICKS = quick ? 10 : 60;
const READS = quick ? 20 : 200;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function line(name: string, rest: number[], base: number[], baseName: string): void {
  const r50 = percentile(rest, 50);
  const b50 = percentile(base, 50);
  console.log(
    `${name.padEnd(30)} p50 ${r50.toFixed(2).padStart(7)} ms  p95 ${percentile(rest, 95).toFixed(2).padStart(7)} ms` +
      `   ${baseName.padEnd(22)} p50 ${b50.toFixed(2).padStart(7)} ms  p95 ${percentile(base, 95).toFixed(2).padStart(7)} ms` +
      `   ratio ${(r50 / b50).toFixed(2)}  overhead ${(r50 - b50).toFixed(2)} ms`,
  );
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const scene = makeScene({ frames: 4 });
  const disc = sceneObject(scene, SCENE_IDS.disc);
  const engine = createOnnxEngine({ pack: 'test-tiny' });
  const work = await tempDataDir();
  const server = await startRealtimeServer(engine, work.dir);
  const sid = await createSceneSession(server.store, scene);
  const socket = new Participant(server.url);
  try {
    await socket.join(sid, { name: 'bench' });
    const point = { ...interiorPoint(disc.masks[0]!, scene.width), label: 1 };
    const url = `${server.url}/api/v1/sessions/${sid}`;
    const restClick = async () => {
      const res = await fetch(`${url}/prompts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ frame: 0, points: [point] }),
      });
      if (res.status !== 200) throw new Error(`REST click: ${res.status} ${await res.text()}`);
      await res.json();
    };
    const socketClick = () => socket.command('prompt:add', { frame: 0, points: [point] });
    // Warm the embedding of frame 0 and both paths.
    await restClick();
    await socketClick();

    const rest: number[] = [];
    const sock: number[] = [];
    for (let i = 0; i < CLICKS; i++) {
      rest.push(await time(restClick));
      sock.push(await time(socketClick));
    }

    const restRead: number[] = [];
    const sockRead: number[] = [];
    for (let i = 0; i < READS; i++) {
      restRead.push(await time(async () => (await fetch(`${url}/frames/0/masks`)).json()));
      sockRead.push(await time(() => socket.request('masks:fetch', { range: { from: 0, to: 0 } })));
    }

    const overlay: number[] = [];
    const png: number[] = [];
    for (let i = 0; i < READS / 4; i++) {
      overlay.push(await time(async () => (await fetch(`${server.url}/overlay/${sid}/0`)).arrayBuffer()));
      png.push(await time(async () => (await fetch(`${url}/frames/0/masks?format=png`)).arrayBuffer()));
    }

    const objects = socket.of('object:created').length;
    console.log(
      `bench:rest — ${CLICKS} clicks per path (${objects} objects made), ${READS} reads; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(2)}`,
    );
    line('click → mask, REST', rest, sock, 'Socket.IO prompt:add');
    line('masks of a frame, REST (RLE)', restRead, sockRead, 'Socket.IO masks:fetch');
    line('overlay JPEG (seed-003)', overlay, png, 'v1 indexed PNG');
  } finally {
    socket.close();
    await server.stop();
    await engine.close();
    await work.remove();
  }
}

await main();
