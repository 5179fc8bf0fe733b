/** The realtime benchmark's targets and its human-readable report. */
import type { ClickFigures, FanoutFigures } from './clicks.ts';
import type { LoadFigures } from './load.ts';
import type { DuringFigures, PropagationFigures } from './propagation.ts';

export interface Figures {
  click: ClickFigures;
  fanout: FanoutFigures;
  propagation: PropagationFigures;
  during: DuringFigures;
  load: LoadFigures;
}

/** The targets of the live-sessions issue, each checked against the figures. */
export function checks(f: Figures): Array<{ name: string; pass: boolean; target: string }> {
  const clickLimit = 1.2 * f.click.bareDecodeP50Ms + 5;
  return [
    {
      name: 'click p50 vs bare decode',
      pass: f.click.clickP50Ms <= clickLimit,
      target: `≤ 1.2 × bare + 5 ms = ${clickLimit.toFixed(1)} ms`,
    },
    { name: 'fan-out p99', pass: f.fanout.fanoutP99Ms <= 20, target: '≤ 20 ms' },
    { name: 'propagation ratio', pass: f.propagation.propagationRatio >= 0.9, target: '≥ 0.9' },
    { name: 'lost commands', pass: f.load.lostCommands === 0, target: '= 0' },
    { name: 'ack p99 under load', pass: f.load.ackP99Ms <= 100, target: '≤ 100 ms' },
  ];
}

const mark = (pass: boolean) => (pass ? 'PASS' : 'MISS');

/** Prints the figures with their targets and pass/miss marks. */
export function printReport(f: Figures, context: string[]): void {
  const c = checks(f);
  const byName = new Map(c.map((x) => [x.name, x]));
  const line = (name: string, text: string) => {
    const check = byName.get(name);
    console.log(
      `  ${check ? `[${mark(check.pass)}]` : '      '} ${text}${check ? `   (target ${check.target})` : ''}`,
    );
  };
  for (const l of context) console.log(l);
  const { click, fanout, propagation: p, during: d, load } = f;
  console.log(
    `\nclick → mask over Socket.IO, warm embedding (${click.clicks} clicks, alternating with bare decodes):`,
  );
  line(
    'click p50 vs bare decode',
    `p50 ${click.clickP50Ms} ms, p95 ${click.clickP95Ms} ms; bare VideoState.addPrompts p50 ${click.bareDecodeP50Ms} ms, p95 ${click.bareDecodeP95Ms} ms; ratio ${click.clickLatencyRatio}×, overhead ${click.clickOverheadMsP50} ms`,
  );
  line(
    '',
    `server side, p50: lane task (sync + decode) ${click.serverDecodeP50Ms} ms, lane wait ${click.laneWaitP50Ms} ms, fdatasync ${click.clickFsyncP50Ms} ms; arrival → ack leaving ${click.clickServerResidenceP50Ms} ms (the rest of the p50 is transport and scheduling)`,
  );
  console.log(
    `\nfan-out of a click's mask fact to ${fanout.fanoutClients} participants (${fanout.fanoutClicks} clicks):`,
  );
  line(
    'fan-out p99',
    `arrival minus the clicker's ack: p50 ${fanout.fanoutP50Ms} ms, p99 ${fanout.fanoutP99Ms} ms, max ${fanout.fanoutMaxMs} ms`,
  );
  console.log(
    `\npropagation, ${p.trackedFrames} tracked frames, cold embeddings, ${p.repetitions} paired runs:`,
  );
  line(
    'propagation ratio',
    `Roto ${p.rotoFps} fps (${p.rotoStepMs} ms a step), bare VideoState.track loop ${p.bareFps} fps; ratio ${p.propagationRatio}`,
  );
  console.log(`\nclicks during a propagation (lane preemption, ${d.clicksDuringPropagation} clicks):`);
  const waitSteps = (d.duringP50Ms - click.clickP50Ms) / p.rotoStepMs;
  line(
    '',
    `p50 ${d.duringP50Ms} ms, max ${d.duringMaxMs} ms; waited in the lane p50 ${d.laneWaitDuringP50Ms} ms, max ${d.laneWaitDuringMaxMs} ms; (during − idle p50) / step = ${waitSteps.toFixed(2)} (≤ 1: at most the step in progress)`,
  );
  console.log(
    `\nload: ${load.loadClients} clients × ${load.loadRatePerClient} commands/s × ${load.loadDurationSec} s, one session, 127.0.0.1:`,
  );
  line(
    'lost commands',
    `sent ${load.sent}, acked ${load.acked}, failed ${JSON.stringify(load.failed)}, unanswered ${load.unanswered}, acked but missing from the log after kill -9 ${load.ackedMissingFromLog}, wrong names on a fresh join ${load.namesWrongOnFreshJoin}: lost ${load.lostCommands}`,
  );
  line(
    'ack p99 under load',
    `ack p50 ${load.ackP50Ms} ms, p99 ${load.ackP99Ms} ms, max ${load.ackMaxMs} ms; ${load.loadClicks} clicks, p50 ${load.clickAckP50Ms} ms`,
  );
  line(
    '',
    `throughput ${load.ackedPerSec} acked commands/s, ${load.factsDeliveredPerSec} facts delivered/s; ${load.loadFsyncs} fdatasyncs (p50 ${load.loadFsyncP50Ms} ms, p99 ${load.loadFsyncP99Ms} ms); client-side event-loop delay p99 ${load.clientLoopDelayP99Ms} ms`,
  );
  line(
    '',
    `renames inside the server (arrival → ack leaving, room queue included): p50 ${load.loadServerResidenceP50Ms} ms, p99 ${load.loadServerResidenceP99Ms} ms`,
  );
  const missed = c.filter((x) => !x.pass);
  console.log(
    `\n${missed.length === 0 ? 'all targets met' : `missed: ${missed.map((x) => x.name).join(', ')}`}`,
  );
}
