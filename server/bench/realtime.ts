/**
 * `npm run bench:realtime`: live sessions over Socket.IO on the test-tiny pack, against the bare
 * engine. The server runs in a child process (`realtime/server-process.ts`) so that the clients'
 * work does not share its event loop; the bare baselines run in this process, alternating with
 * the server's runs so a busy machine slows both alike. See `HELP` for what is measured.
 */
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { VideoFrames } from '../src/inference/engine.ts';
import { createOnnxEngine } from '../src/inference/onnx-engine.ts';
import { framePath, readFrameRgb } from '../src/media/decode.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';
import { createSceneSession, tempDataDir } from '../test/support/server-realtime.ts';
import { interiorPoint, makeScene, SCENE_IDS, type Scene, sceneObject } from '../test/support/synthetic.ts';
import { measureClicks, measureFanout } from './realtime/clicks.ts';
import { runLoad } from './realtime/load.ts';
import { measureClicksDuringPropagation, measurePropagation } from './realtime/propagation.ts';
import { checks, type Figures, printReport } from './realtime/report.ts';
import { BenchServer } from './realtime/server-handle.ts';

const HELP = `Usage: npm run bench:realtime -- [--quick] [--json] [--profile <file>]

  --quick           short run for smoke checks: fewer clicks, 6-frame propagation, 5 s of load
  --json            print the results as one JSON object on the last line
  --profile <file>  write the server's V8 CPU profile of the load scenario to <file>
                    (.cpuprofile: open it in Chrome DevTools or speedscope)
  --help            this text

Environment: BENCH_OPLOG_BATCH_DELAY_MS sets the server's op-log group-commit delay (profiling).

Measures, on the test-tiny pack with a 320×240 synthetic clip (targets in brackets):
  click → mask over Socket.IO, warm embedding: p50, p95, ratio and overhead against a bare
    VideoState.addPrompts of the same prompt on the same frame  [p50 ≤ 1.2 × bare + 5 ms]
  fan-out of a click's mask fact to 20 participants: arrival minus the clicker's ack, p99  [≤ 20 ms]
  propagation fps against the bare VideoState.track loop, cold embeddings in both  [ratio ≥ 0.9]
  clicks during a propagation: latency and GPU-lane wait against the step time (preemption)
  load: 50 clients × 10 commands/s × 30 s in one session (renames, some clicks and clears):
    lost commands (unanswered, or acked but missing from the op log after kill -9)  [0],
    ack p99  [≤ 100 ms], throughput
The server's per-connection rate limit is raised (RATE_LIMIT_COMMANDS_PER_SEC) so the load is not
throttled. JSON keys: clickP50Ms, clickP95Ms, clickLatencyRatio, clickOverheadMsP50, fanoutP99Ms,
propagationRatio, lostCommands, ackP99Ms, and the other figures printed.`;

/** Per-connection command rate the bench's server allows: far above the load's 10/s per client. */
const BENCH_RATE_LIMIT = 1000;

const argv = process.argv.slice(2);
let profilePath: string | undefined;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i] as string;
  if (a === '--profile' && argv[i + 1]) profilePath = resolve(argv[++i] as string);
  else if (!['--quick', '--json', '--help', '-h'].includes(a)) {
    console.error(`Unknown argument ${a} (see --help)`);
    process.exit(2);
  }
}
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}
const json = argv.includes('--json');
const quick = argv.includes('--quick');
const plan = quick
  ? { frames: 6, reps: 1, clicks: 10, fanoutClicks: 10, duringClicks: 3, loadSec: 5 }
  : { frames: 16, reps: 2, clicks: 40, fanoutClicks: 30, duringClicks: 8, loadSec: 30 };
const progress = (msg: string) => {
  if (!json) console.error(`… ${msg}`);
};

const scene = makeScene({ frames: plan.frames });
const pointOf = (id: number, frame: number) => {
  const obj = sceneObject(scene, id);
  return { points: [{ ...interiorPoint(obj.masks[frame] as Uint8Array, scene.width), label: 1 as const }] };
};

/** The frames of a session, read from its files the way the server reads them. */
function filesFrames(s: Scene, framesDir: string, id: string): VideoFrames {
  return {
    id,
    frameCount: s.frames.length,
    width: s.width,
    height: s.height,
    getFrame: (i) => readFrameRgb(framePath(framesDir, i)),
  };
}

const tmp = await tempDataDir();
const engine = createOnnxEngine({ pack: 'test-tiny' });
let server: BenchServer | null = null;
try {
  // Every session is made before the server starts: the server process then owns the store.
  const store = new FileSessionStore({ dataDir: tmp.dir });
  const clickSession = await createSceneSession(store, scene);
  const propSessions: string[] = [];
  for (let i = 0; i < plan.reps; i++) propSessions.push(await createSceneSession(store, scene));
  const duringSession = await createSceneSession(store, scene);
  const loadSession = await createSceneSession(store, scene);
  const framesDir = dirname(await store.blobs.prepare(clickSession, 'frames/00000.jpg'));
  await store.closeAll();

  progress('starting the server and loading the model');
  await engine.ready();
  server = await BenchServer.start(tmp.dir, { RATE_LIMIT_COMMANDS_PER_SEC: String(BENCH_RATE_LIMIT) });
  const frames = filesFrames(scene, framesDir, `bench:${clickSession}`);
  const clickSetup = {
    server,
    engine,
    frames,
    sessionId: clickSession,
    prompts: pointOf(SCENE_IDS.rectangle, 0),
    frame: 0,
  };

  progress(`${plan.clicks} clicks against bare decodes`);
  const clicked = await measureClicks(clickSetup, plan.clicks);
  progress(`fan-out to 20 participants, ${plan.fanoutClicks} clicks`);
  const fanout = await measureFanout(clickSetup, clicked.client, clicked.objectId, 20, plan.fanoutClicks);
  clicked.client.close();

  progress(`propagation, ${plan.reps} paired runs of ${plan.frames - 1} frames`);
  const propagation = await measurePropagation({
    server,
    engine,
    frames,
    sessionIds: propSessions,
    prompts: pointOf(SCENE_IDS.disc, 0),
    frameCount: plan.frames,
  });
  progress(`${plan.duringClicks} clicks during a propagation`);
  const during = await measureClicksDuringPropagation(
    server,
    duringSession,
    pointOf(SCENE_IDS.disc, 0),
    (f) => pointOf(SCENE_IDS.rectangle, f),
    plan.duringClicks,
  );

  progress(`load: 50 clients × 10/s × ${plan.loadSec} s`);
  const load = await runLoad(server, tmp.dir, loadSession, pointOf(SCENE_IDS.rectangle, 0), {
    clients: 50,
    rate: 10,
    durationSec: plan.loadSec,
    clicksPerSec: 1,
    ...(profilePath ? { profilePath } : {}),
  });
  server = null; // killed by the load scenario

  const figures: Figures = { click: clicked.figures, fanout, propagation, during, load };
  const context = [
    `realtime benchmark${quick ? ' (--quick)' : ''}: test-tiny pack, ${scene.width}×${scene.height} clip of ${scene.frames.length} frames`,
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} at the end (other processes slow both sides of every ratio alike)`,
    `server: its own process; RATE_LIMIT_COMMANDS_PER_SEC=${BENCH_RATE_LIMIT} per connection (default 20) so the load scenario is not throttled`,
  ];
  if (json) {
    const targets = Object.fromEntries(checks(figures).map((c) => [c.name, c.pass]));
    console.log(
      JSON.stringify({
        ...figures.click,
        ...figures.fanout,
        ...figures.propagation,
        ...figures.during,
        ...figures.load,
        rateLimitCommandsPerSec: BENCH_RATE_LIMIT,
        quick,
        targets,
      }),
    );
  } else {
    printReport(figures, context);
  }
} finally {
  await server?.stop();
  await engine.close();
  await tmp.remove();
}
