/**
 * `npm run bench:realtime`: a click's round trip over Socket.IO (command → lane → engine → durable
 * record → ack) on the test pack, with the server idle (the bare baseline) and while a propagation
 * streams masks. The lane runs propagation one frame per step, so a click should wait at most about
 * one step: the report prints both p50s, their ratio and the propagation's own step time.
 *
 * `--json` prints one JSON object as the last line.
 */
import { randomUUID } from 'node:crypto';
import type { PromptAddAck } from '@roto/shared';
import { createOnnxEngine } from '../src/inference/onnx-engine.ts';
import {
  createSceneSession,
  Participant,
  startRealtimeServer,
  tempDataDir,
} from '../test/support/server-realtime.ts';
import { interiorPoint, makeScene, SCENE_IDS, sceneObject } from '../test/support/synthetic.ts';

const json = process.argv.includes('--json');
const FRAMES = 40;
const CLICKS = 8;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const scene = makeScene({ frames: FRAMES });
const engine = createOnnxEngine({ pack: 'test-tiny' });
const tmp = await tempDataDir();
const server = await startRealtimeServer(engine, tmp.dir);
const sessionId = await createSceneSession(server.store, scene);
const a = new Participant(server.url);
await a.join(sessionId, { name: 'A' });

const disc = sceneObject(scene, SCENE_IDS.disc);
const rect = sceneObject(scene, SCENE_IDS.rectangle);
const point = (obj: typeof disc, frame: number) => ({
  ...interiorPoint(obj.masks[frame]!, scene.width),
  label: 1 as const,
});

async function timedClick(frame: number, objectId?: number): Promise<{ ms: number; ack: PromptAddAck }> {
  const t = performance.now();
  const ack = await a.command<PromptAddAck>('prompt:add', {
    frame,
    points: [point(rect, frame)],
    ...(objectId ? { objectId } : {}),
  });
  return { ms: performance.now() - t, ack };
}

async function propagate(
  objectId: number,
  onStep?: () => Promise<void>,
): Promise<{ jobId: string; ms: number; steps: number }> {
  const t = performance.now();
  const { jobId } = await a.command<{ jobId: string }>('propagation:start', { objectIds: [objectId] });
  while (!a.of('job:finished').some((x) => x.jobId === jobId)) {
    if (onStep) await onStep();
    else
      await a.waitFor((p) => p.of('job:finished').some((x) => x.jobId === jobId), 'the propagation to end');
  }
  const steps = a.of('job:finished').find((x) => x.jobId === jobId)!.done;
  return { jobId, ms: performance.now() - t, steps };
}

// Warm the model, then the idle baseline: clicks on a frame whose embedding is cached.
const warm = await timedClick(0);
const rectId = warm.ack.objectId;
const idle: number[] = [];
for (let i = 0; i < CLICKS; i++) idle.push((await timedClick(0, rectId)).ms);

// The propagation's own pace, with nobody clicking (the triangle through the whole clip).
const tri = sceneObject(scene, SCENE_IDS.triangle);
const triAck = await a.command<PromptAddAck>('prompt:add', { frame: 0, points: [point(tri, 0)] });
const alone = await propagate(triAck.objectId);
const stepMs = alone.ms / alone.steps;

// Propagate the disc while clicking the rectangle on the frame that was just propagated (what a
// person watching the stream corrects; its embedding is the most recent one in the cache).
const discAck = await a.command<PromptAddAck>('prompt:add', { frame: 0, points: [point(disc, 0)] });
const during: number[] = [];
// How long each click waited in the GPU lane behind propagation steps (the scheduler's share).
const laneWaits: number[] = [];
const stopObserving = server.app.lane.observe((e) => {
  if (e.priority === 'interactive' && e.label.startsWith('click')) laneWaits.push(e.waitMs);
});
await propagate(discAck.objectId, async () => {
  const latest =
    a
      .of('mask:updated')
      .filter((m) => m.objectId === discAck.objectId)
      .at(-1)?.frame ?? 0;
  if (during.length < CLICKS) during.push((await timedClick(latest, rectId)).ms);
  else await new Promise((r) => setTimeout(r, 20));
});
stopObserving();
const fps = 1000 / stepMs;

const summary = {
  frames: FRAMES,
  clicksIdle: idle.length,
  clicksDuringPropagation: during.length,
  idleP50Ms: +percentile(idle, 50).toFixed(1),
  duringP50Ms: +percentile(during, 50).toFixed(1),
  duringMaxMs: +Math.max(...during).toFixed(1),
  laneWaitP50Ms: +percentile(laneWaits, 50).toFixed(1),
  laneWaitMaxMs: +Math.max(...laneWaits).toFixed(1),
  propagationStepMs: +stepMs.toFixed(1),
  propagationFps: +fps.toFixed(2),
};
const ratio = summary.duringP50Ms / summary.idleP50Ms;
if (json) {
  console.log(JSON.stringify({ ...summary, p50RatioDuringOverIdle: +ratio.toFixed(2) }));
} else {
  console.log(`click round trip over Socket.IO, test-tiny pack, ${scene.width}×${scene.height}:`);
  console.log(`  idle server (baseline): p50 ${summary.idleP50Ms} ms over ${idle.length} clicks`);
  console.log(
    `  during a ${FRAMES}-frame propagation: p50 ${summary.duringP50Ms} ms, max ${summary.duringMaxMs} ms over ${during.length} clicks`,
  );
  console.log(
    `  of which waiting in the GPU lane for the step in progress: p50 ${summary.laneWaitP50Ms} ms, max ${summary.laneWaitMaxMs} ms`,
  );
  console.log(
    `  propagation alone, per step (one frame × object): ${summary.propagationStepMs} ms (${summary.propagationFps} fps)`,
  );
  console.log(
    `  during / idle p50: ${ratio.toFixed(2)}×; (during − idle) / step: ${((summary.duringP50Ms - summary.idleP50Ms) / stepMs).toFixed(2)} (≤ 1: a click waits for at most the step in progress)`,
  );
}

a.close();
await server.stop();
await engine.close();
await tmp.remove();
