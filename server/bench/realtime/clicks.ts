/**
 * Click-to-mask latency over Socket.IO against the bare engine decode, and the fan-out of the
 * click's mask fact to 20 participants.
 */
import type { PromptAddAck } from '@roto/shared';
import type { InferenceEngine, Prompts, VideoFrames } from '../../src/inference/engine.ts';
import { BenchClient } from './client.ts';
import type { BenchServer } from './server-handle.ts';
import { median, percentile, r1, r3 } from './stats.ts';

/** What the click phase needs. */
export interface ClickSetup {
  server: BenchServer;
  engine: InferenceEngine;
  /** The session's frames, read from the same files the server reads (for the bare baseline). */
  frames: VideoFrames;
  sessionId: string;
  /** The one-point prompt clicked every time, on `frame`. */
  prompts: Prompts;
  frame: number;
}

export interface ClickFigures {
  clicks: number;
  clickP50Ms: number;
  clickP95Ms: number;
  bareDecodeP50Ms: number;
  bareDecodeP95Ms: number;
  clickLatencyRatio: number;
  clickOverheadMsP50: number;
  /** The click's GPU-lane task on the server (sync + decode), p50: the engine's share. */
  serverDecodeP50Ms: number;
  /** Waiting in the GPU lane (p50), and fdatasync of the click records (p50). */
  laneWaitP50Ms: number;
  clickFsyncP50Ms: number;
  /** Server-side time from the command's arrival to its ack leaving (p50); the rest is transport. */
  clickServerResidenceP50Ms: number;
}

export interface FanoutFigures {
  fanoutClients: number;
  fanoutClicks: number;
  /** Arrival of the mask fact at each participant minus the clicker's ack, all pairs. */
  fanoutP50Ms: number;
  fanoutP99Ms: number;
  fanoutMaxMs: number;
}

/**
 * Alternates a Roto click (a `prompt:clear` of the frame, untimed, then a timed `prompt:add` with
 * the same one point, so every click is the same single-point decode) with a bare
 * `VideoState.addPrompts` of the same prompt on the same frame, embedding cached in both.
 */
export async function measureClicks(
  s: ClickSetup,
  clicks: number,
  warmup = 3,
): Promise<{
  figures: ClickFigures;
  client: BenchClient;
  objectId: number;
}> {
  const client = new BenchClient(s.server.url);
  await client.join(s.sessionId, 'clicker');
  // The first click encodes the frame (server side); the bare state encodes it in this process.
  const first = await client.command<PromptAddAck>('prompt:add', {
    frame: s.frame,
    points: s.prompts.points,
  });
  const objectId = first.objectId;
  const bare = s.engine.createVideoState(s.frames);
  await bare.addPrompts(s.frame, 1, s.prompts);

  const roto = async () => {
    await client.command('prompt:clear', { frame: s.frame, objectId });
    const t = await client.send<PromptAddAck>('prompt:add', {
      frame: s.frame,
      objectId,
      points: s.prompts.points,
    });
    if (!t.res.ok) throw new Error(`prompt:add failed: ${t.res.error.code} ${t.res.error.message}`);
    return t.ms;
  };
  const direct = async () => {
    const t = performance.now();
    await bare.addPrompts(s.frame, 1, s.prompts);
    return performance.now() - t;
  };
  for (let i = 0; i < warmup; i++) {
    await roto();
    await direct();
  }
  const rotoMs: number[] = [];
  const bareMs: number[] = [];
  s.server.laneEvents.length = 0;
  s.server.observeLane(true);
  s.server.resetSyncs();
  await s.server.residence();
  for (let i = 0; i < clicks; i++) {
    // Alternate who goes first: on a shared machine the second call of a pair is often faster.
    if (i % 2 === 0) {
      rotoMs.push(await roto());
      bareMs.push(await direct());
    } else {
      bareMs.push(await direct());
      rotoMs.push(await roto());
    }
  }
  s.server.observeLane(false);
  const syncs = await s.server.syncs();
  const residence = (await s.server.residence())['prompt:add'] ?? [];
  bare.dispose();
  const clickTasks = s.server.laneEvents.filter((e) => e.label.startsWith('click'));
  const clickP50 = median(rotoMs);
  const bareP50 = median(bareMs);
  return {
    client,
    objectId,
    figures: {
      clicks,
      clickP50Ms: r1(clickP50),
      clickP95Ms: r1(percentile(rotoMs, 95)),
      bareDecodeP50Ms: r1(bareP50),
      bareDecodeP95Ms: r1(percentile(bareMs, 95)),
      clickLatencyRatio: r3(clickP50 / bareP50),
      clickOverheadMsP50: r1(clickP50 - bareP50),
      serverDecodeP50Ms: r1(median(clickTasks.map((e) => e.runMs ?? Number.NaN))),
      laneWaitP50Ms: r1(median(clickTasks.map((e) => e.waitMs))),
      // Each timed click and each untimed clear is one record: both are in here.
      clickFsyncP50Ms: r1(median(syncs.durationsMs)),
      clickServerResidenceP50Ms: r1(median(residence)),
    },
  };
}

/**
 * Joins `participants − 1` more clients to the clicker's session, then for each click measures,
 * at every participant (the clicker included), the arrival of the click's `mask:updated` minus the
 * clicker's own ack.
 */
export async function measureFanout(
  s: ClickSetup,
  clicker: BenchClient,
  objectId: number,
  participants: number,
  clicks: number,
): Promise<FanoutFigures> {
  const others: BenchClient[] = [];
  for (let i = 1; i < participants; i++) {
    const c = new BenchClient(s.server.url);
    await c.join(s.sessionId, `viewer ${i}`);
    others.push(c);
  }
  const everyone = [clicker, ...others];
  const extra: number[] = [];
  try {
    for (let i = 0; i < clicks; i++) {
      await clicker.command('prompt:clear', { frame: s.frame, objectId });
      const t = await clicker.send<PromptAddAck>('prompt:add', {
        frame: s.frame,
        objectId,
        points: s.prompts.points,
      });
      if (!t.res.ok) throw new Error(`prompt:add failed: ${t.res.error.code} ${t.res.error.message}`);
      const key = `${objectId}:${s.frame}:${t.res.data.mask.version}`;
      const deadline = performance.now() + 10_000;
      while (everyone.some((c) => !c.maskArrivals.has(key))) {
        if (performance.now() > deadline) throw new Error(`a participant never received mask ${key}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      for (const c of everyone) extra.push((c.maskArrivals.get(key) as number) - t.ackAt);
    }
  } finally {
    for (const c of others) c.close();
  }
  return {
    fanoutClients: participants,
    fanoutClicks: clicks,
    fanoutP50Ms: r1(median(extra)),
    fanoutP99Ms: r1(percentile(extra, 99)),
    fanoutMaxMs: r1(Math.max(...extra)),
  };
}
