/**
 * `npm run bench:lane`: what the GPU lane costs and what it buys.
 *
 * 1. Overhead: N trivial tasks through `lane.run` against awaiting the same function directly.
 * 2. Click latency during propagation: a 200-frame propagation whose frames each hold the CPU for
 *    FRAME_MS (a stand-in for one memory-attention call), with clicks arriving every ~CLICK_EVERY_MS.
 *    The lane (one frame queued at a time, clicks first) is compared with the bare baseline of a
 *    FIFO queue holding every frame up front: there a click waits for the rest of the propagation.
 *
 * `--json` prints one JSON object as the last line.
 */
import { GpuLane } from '../src/lane/lane.ts';

const json = process.argv.includes('--json');
const N = 100_000;
const FRAMES = 200;
const FRAME_MS = 5;
const CLICK_EVERY_MS = 37;

/** Holds the thread like a synchronous model call does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

async function overhead() {
  const fn = async () => 1;
  let t = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const bare = (performance.now() - t) / N;
  const lane = new GpuLane();
  t = performance.now();
  for (let i = 0; i < N; i++) await lane.run({ priority: 'interactive', label: 'noop', fn });
  const laned = (performance.now() - t) / N;
  return { bareUs: bare * 1000, laneUs: laned * 1000, extraUs: (laned - bare) * 1000 };
}

async function withLane(): Promise<number[]> {
  const lane = new GpuLane();
  const waits: number[] = [];
  const pending: Promise<unknown>[] = [];
  const timer = setInterval(() => {
    const at = performance.now();
    pending.push(
      lane.run({
        priority: 'interactive',
        label: 'click',
        fn: async () => {
          waits.push(performance.now() - at);
          busy(1);
        },
      }),
    );
  }, CLICK_EVERY_MS);
  await lane.runSteps({
    priority: 'propagation',
    label: 'propagate',
    steps: FRAMES,
    // Yield to the event loop between frames, as a real ONNX call (async) does.
    step: async () => {
      await new Promise((r) => setImmediate(r));
      busy(FRAME_MS);
    },
  });
  clearInterval(timer);
  await Promise.all(pending);
  return waits;
}

async function withFifo(): Promise<number[]> {
  let tail: Promise<unknown> = Promise.resolve();
  const enqueue = (fn: () => Promise<void>) => {
    const p = tail.then(fn);
    tail = p;
    return p;
  };
  const waits: number[] = [];
  const pending: Promise<unknown>[] = [];
  // The whole propagation is queued at once; clicks arrive on the timer behind it.
  const timer = setInterval(() => {
    const at = performance.now();
    pending.push(
      enqueue(async () => {
        waits.push(performance.now() - at);
        busy(1);
      }),
    );
  }, CLICK_EVERY_MS);
  const frames = Array.from({ length: FRAMES }, () =>
    enqueue(async () => {
      await new Promise((r) => setImmediate(r));
      busy(FRAME_MS);
    }),
  );
  await Promise.all(frames);
  clearInterval(timer);
  await Promise.all(pending);
  return waits;
}

const o = await overhead();
const laneWaits = await withLane();
const fifoWaits = await withFifo();
const summary = {
  overhead: {
    tasks: N,
    bareUsPerTask: +o.bareUs.toFixed(3),
    laneUsPerTask: +o.laneUs.toFixed(3),
    extraUsPerTask: +o.extraUs.toFixed(3),
  },
  clickDuringPropagation: {
    frames: FRAMES,
    frameMs: FRAME_MS,
    lane: {
      clicks: laneWaits.length,
      p50Ms: +percentile(laneWaits, 50).toFixed(2),
      p99Ms: +percentile(laneWaits, 99).toFixed(2),
      maxMs: +Math.max(...laneWaits).toFixed(2),
    },
    fifo: {
      clicks: fifoWaits.length,
      p50Ms: +percentile(fifoWaits, 50).toFixed(2),
      p99Ms: +percentile(fifoWaits, 99).toFixed(2),
      maxMs: +Math.max(...fifoWaits).toFixed(2),
    },
  },
};
const ratio = percentile(fifoWaits, 50) / percentile(laneWaits, 50);
if (json) {
  console.log(JSON.stringify({ ...summary, p50RatioFifoOverLane: +ratio.toFixed(1) }));
} else {
  console.log(
    `lane overhead: ${o.laneUs.toFixed(2)} µs/task vs bare await ${o.bareUs.toFixed(2)} µs (+${o.extraUs.toFixed(2)} µs, ${(o.laneUs / o.bareUs).toFixed(1)}×)`,
  );
  const c = summary.clickDuringPropagation;
  console.log(`click wait during a ${FRAMES}-frame propagation (${FRAME_MS} ms/frame):`);
  console.log(
    `  lane: p50 ${c.lane.p50Ms} ms, p99 ${c.lane.p99Ms} ms, max ${c.lane.maxMs} ms (${c.lane.clicks} clicks)`,
  );
  console.log(
    `  FIFO: p50 ${c.fifo.p50Ms} ms, p99 ${c.fifo.p99Ms} ms, max ${c.fifo.maxMs} ms (${c.fifo.clicks} clicks)`,
  );
  console.log(`  FIFO / lane p50: ${ratio.toFixed(1)}×`);
}
