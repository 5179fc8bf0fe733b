/**
 * Propagation throughput over Socket.IO against the bare engine loop, and clicks during a
 * propagation (how long a click waits for the propagation step in progress: lane preemption).
 */
import type { JobAck, PromptAddAck } from '@roto/shared';
import type { InferenceEngine, Prompts, VideoFrames } from '../../src/inference/engine.ts';
import { BenchClient } from './client.ts';
import type { BenchServer } from './server-handle.ts';
import { median, r1, r3 } from './stats.ts';

export interface PropagationSetup {
  server: BenchServer;
  engine: InferenceEngine;
  frames: VideoFrames;
  /** One fresh session per repetition: its embeddings are cold on the server. */
  sessionIds: string[];
  /** The prompt on frame 0 of the tracked object. */
  prompts: Prompts;
  /** Frames 0 … frames − 1; frame 0 is prompted, the rest are tracked. */
  frameCount: number;
}

export interface PropagationFigures {
  trackedFrames: number;
  repetitions: number;
  rotoFps: number;
  bareFps: number;
  /** Roto fps / bare fps (median of the paired runs). */
  propagationRatio: number;
  /** Per step (one frame × object) on the server, ms. */
  rotoStepMs: number;
}

/** Bare loop: `VideoState.track` over frames 1 … n − 1 after the prompt on frame 0; cold embeddings. */
async function bareRun(s: PropagationSetup, rep: number): Promise<number> {
  // A fresh frames id keys a fresh set of embeddings in the engine's cache: cold, as on the server.
  const vs = s.engine.createVideoState({ ...s.frames, id: `${s.frames.id}:bare-propagation-${rep}` });
  try {
    await vs.addPrompts(0, 1, s.prompts);
    const t = performance.now();
    for (let f = 1; f < s.frameCount; f++) await vs.track(f, 1, 'forward');
    return (s.frameCount - 1) / ((performance.now() - t) / 1000);
  } finally {
    vs.dispose();
  }
}

/** Roto: the same prompt by `prompt:add`, then `propagation:start` until `job:finished` arrives. */
async function rotoRun(s: PropagationSetup, sessionId: string): Promise<number> {
  const c = new BenchClient(s.server.url);
  try {
    await c.join(sessionId, 'propagator');
    const { objectId } = await c.command<PromptAddAck>('prompt:add', { frame: 0, points: s.prompts.points });
    const t = performance.now();
    const { jobId } = await c.command<JobAck>('propagation:start', {
      objectIds: [objectId],
      direction: 'forward',
      range: { from: 0, to: s.frameCount - 1 },
    });
    const end = await c.jobEnd(jobId);
    if (end.type !== 'job:finished') throw new Error(`the propagation ended with ${end.type}`);
    return (end.done ?? 0) / ((end.at - t) / 1000);
  } finally {
    c.close();
  }
}

/** Runs bare and Roto propagations in alternating order, one pair per session id. */
export async function measurePropagation(s: PropagationSetup): Promise<PropagationFigures> {
  const roto: number[] = [];
  const bare: number[] = [];
  const ratios: number[] = [];
  for (const [rep, sessionId] of s.sessionIds.entries()) {
    let r: number;
    let b: number;
    if (rep % 2 === 0) {
      b = await bareRun(s, rep);
      r = await rotoRun(s, sessionId);
    } else {
      r = await rotoRun(s, sessionId);
      b = await bareRun(s, rep);
    }
    roto.push(r);
    bare.push(b);
    ratios.push(r / b);
  }
  const rotoFps = median(roto);
  return {
    trackedFrames: s.frameCount - 1,
    repetitions: s.sessionIds.length,
    rotoFps: r3(rotoFps),
    bareFps: r3(median(bare)),
    propagationRatio: r3(median(ratios)),
    rotoStepMs: r1(1000 / rotoFps),
  };
}

export interface DuringFigures {
  clicksDuringPropagation: number;
  duringP50Ms: number;
  duringMaxMs: number;
  /** Time clicks waited in the GPU lane behind the propagation step in progress. */
  laneWaitDuringP50Ms: number;
  laneWaitDuringMaxMs: number;
}

/**
 * Starts a propagation of one object and, while it streams, clicks another object on the frame
 * just propagated (what a person watching the stream corrects); cancels the job after the clicks.
 */
export async function measureClicksDuringPropagation(
  server: BenchServer,
  sessionId: string,
  tracked: Prompts,
  clickedAt: (frame: number) => Prompts,
  clicks: number,
): Promise<DuringFigures> {
  const c = new BenchClient(server.url);
  try {
    await c.join(sessionId, 'corrector');
    const a = await c.command<PromptAddAck>('prompt:add', { frame: 0, points: tracked.points });
    const b = await c.command<PromptAddAck>('prompt:add', { frame: 0, points: clickedAt(0).points });
    server.laneEvents.length = 0;
    server.observeLane(true);
    const { jobId } = await c.command<JobAck>('propagation:start', {
      objectIds: [a.objectId],
      direction: 'forward',
    });
    const during: number[] = [];
    while (during.length < clicks && !c.jobEnds.has(jobId)) {
      const frame = c.latestMaskFrame.get(a.objectId);
      if (frame === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const t = await c.send('prompt:add', { frame, objectId: b.objectId, points: clickedAt(frame).points });
      if (!t.res.ok) throw new Error(`prompt:add failed: ${t.res.error.code} ${t.res.error.message}`);
      during.push(t.ms);
    }
    if (!c.jobEnds.has(jobId)) await c.send('job:cancel', { jobId });
    await c.jobEnd(jobId);
    server.observeLane(false);
    const waits = server.laneEvents
      .filter((e) => e.priority === 'interactive' && e.label.startsWith('click'))
      .map((e) => e.waitMs);
    return {
      clicksDuringPropagation: during.length,
      duringP50Ms: r1(median(during)),
      duringMaxMs: r1(Math.max(...during)),
      laneWaitDuringP50Ms: r1(median(waits)),
      laneWaitDuringMaxMs: r1(Math.max(...waits)),
    };
  } finally {
    c.close();
  }
}
