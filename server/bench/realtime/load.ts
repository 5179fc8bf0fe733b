/**
 * The load scenario: many participants of one session each sending a steady stream of cheap
 * durable commands (renames, plus a few clicks and the clears that undo them), open loop (a
 * command leaves on its tick whether or not earlier ones were answered). Afterwards every
 * acknowledged command must be in the session: checked on a fresh join (names) and, after the
 * server is killed, in the op log on disk (command ids).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ObjectAck, PromptAddAck } from '@roto/shared';
import type { Prompts } from '../../src/inference/engine.ts';
import { decodeFactsRecord, FACTS_RECORD_TYPE } from '../../src/sessions/records.ts';
import { FileSessionStore } from '../../src/storage/file-session-store.ts';
import { BenchClient, type Timed } from './client.ts';
import type { BenchServer } from './server-handle.ts';
import { percentile, r1, sleep } from './stats.ts';

export interface LoadOptions {
  clients: number;
  /** Commands per second per client. */
  rate: number;
  durationSec: number;
  /** Clicks plus clears per second, over all clients. */
  clicksPerSec: number;
  /** Writes the server's CPU profile of the load to this path (.cpuprofile). */
  profilePath?: string;
}

export interface LoadFigures {
  loadClients: number;
  loadRatePerClient: number;
  loadDurationSec: number;
  sent: number;
  acked: number;
  /** Answered with an error (by code); not lost, but not applied either. */
  failed: Record<string, number>;
  /** Sent and never answered. */
  unanswered: number;
  /** Acked but absent from the op log read back after a kill -9. */
  ackedMissingFromLog: number;
  /** Acked renames whose name a fresh join does not show. */
  namesWrongOnFreshJoin: number;
  lostCommands: number;
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  loadClicks: number;
  clickAckP50Ms: number;
  ackedPerSec: number;
  factsDeliveredPerSec: number;
  /** fdatasync calls of the op log during the load, and their p50/p99. */
  loadFsyncs: number;
  loadFsyncP50Ms: number;
  loadFsyncP99Ms: number;
  /** Server-side residence of the renames (arrival to ack leaving): p50 / p99. */
  loadServerResidenceP50Ms: number;
  loadServerResidenceP99Ms: number;
  /** Event-loop delay of the benchmark process (the clients' side), p99. */
  clientLoopDelayP99Ms: number;
}

interface Participant {
  client: BenchClient;
  index: number;
  objectId: number;
  hasPrompt: boolean;
  /** Highest rename counter acked, and its name. */
  lastName: { k: number; name: string } | null;
}

/**
 * Runs the load on `sessionId` (already warm: the click frame's embedding is cached) and, at the
 * end, kills the server and reads the session's log back from `dataDir`.
 */
export async function runLoad(
  server: BenchServer,
  dataDir: string,
  sessionId: string,
  click: Prompts,
  o: LoadOptions,
): Promise<LoadFigures> {
  const people: Participant[] = [];
  for (let i = 0; i < o.clients; i++) {
    const client = new BenchClient(server.url);
    await client.join(sessionId, `load ${i}`);
    const { object } = await client.command<ObjectAck>('object:create', { name: `c${i}` });
    people.push({ client, index: i, objectId: object.id, hasPrompt: false, lastName: null });
  }
  // Warm the click frame's embedding and the decoder.
  const warm = people[0] as Participant;
  await warm.client.command<PromptAddAck>('prompt:add', {
    frame: 0,
    objectId: warm.objectId,
    points: click.points,
  });
  await warm.client.command('prompt:clear', { frame: 0, objectId: warm.objectId });

  const factsBefore = people.reduce((n, p) => n + p.client.factsReceived, 0);
  const total = o.clients * o.rate;
  // Every `clickPeriod`-th command over all clients is a click or the clear of the previous one.
  const clickPeriod = o.clicksPerSec > 0 ? Math.max(1, Math.round(total / o.clicksPerSec)) : 0;
  const acked: Array<{ commandId: string; ms: number; kind: string }> = [];
  const failed: Record<string, number> = {};
  let unanswered = 0;
  let sent = 0;
  let counter = 0;
  const inFlight: Array<Promise<void>> = [];
  const loop = monitorEventLoopDelay({ resolution: 5 });
  server.resetSyncs();
  await server.residence();
  if (o.profilePath) server.startProfile();

  const sendOne = (p: Participant, k: number) => {
    counter += 1;
    let event: string;
    let payload: Record<string, unknown>;
    if (clickPeriod > 0 && counter % clickPeriod === 0) {
      event = p.hasPrompt ? 'prompt:clear' : 'prompt:add';
      payload = p.hasPrompt
        ? { frame: 0, objectId: p.objectId }
        : { frame: 0, objectId: p.objectId, points: click.points };
      p.hasPrompt = !p.hasPrompt;
    } else {
      event = 'object:update';
      payload = { objectId: p.objectId, name: `c${p.index}-${k}` };
    }
    sent += 1;
    inFlight.push(
      p.client.send(event, payload, 60_000).then(
        (t: Timed<unknown> & { commandId: string }) => {
          if (!t.res.ok) {
            failed[t.res.error.code] = (failed[t.res.error.code] ?? 0) + 1;
            return;
          }
          acked.push({ commandId: t.commandId, ms: t.ms, kind: event });
          if (event === 'object:update' && (p.lastName === null || k > p.lastName.k))
            p.lastName = { k, name: payload.name as string };
        },
        () => {
          unanswered += 1;
        },
      ),
    );
  };

  loop.enable();
  const started = performance.now();
  const intervalMs = 1000 / o.rate;
  const timers = people.map((p) => {
    let k = 0;
    // Spread the clients' ticks over the interval so the server sees a steady stream.
    return new Promise<void>((resolve) => {
      setTimeout(
        () => {
          const timer = setInterval(() => {
            if (performance.now() - started >= o.durationSec * 1000) {
              clearInterval(timer);
              resolve();
              return;
            }
            sendOne(p, k++);
          }, intervalMs);
        },
        (p.index / o.clients) * intervalMs,
      );
    });
  });
  await Promise.all(timers);
  const sendingMs = performance.now() - started;
  await Promise.all(inFlight);
  loop.disable();
  if (o.profilePath) await server.stopProfile(o.profilePath);
  const syncs = await server.syncs();
  const residence = (await server.residence())['object:update'] ?? [];
  // Let the last broadcasts arrive before counting what was delivered.
  await sleep(200);
  const factsDelivered = people.reduce((n, p) => n + p.client.factsReceived, 0) - factsBefore;

  // A fresh join shows each client's last acked name.
  const fresh = new BenchClient(server.url);
  const snapshot = (await fresh.join(sessionId, 'checker')).snapshot;
  fresh.close();
  const names = new Map(snapshot.objects.map((obj) => [obj.id, obj.name]));
  const namesWrong = people.filter((p) => p.lastName && names.get(p.objectId) !== p.lastName.name).length;

  for (const p of people) p.client.close();
  await server.kill();
  const logged = await commandIdsInLog(dataDir, sessionId);
  const missing = acked.filter((a) => !logged.has(a.commandId)).length;

  const ms = acked.map((a) => a.ms);
  const clickMs = acked.filter((a) => a.kind === 'prompt:add').map((a) => a.ms);
  return {
    loadClients: o.clients,
    loadRatePerClient: o.rate,
    loadDurationSec: o.durationSec,
    sent,
    acked: acked.length,
    failed,
    unanswered,
    ackedMissingFromLog: missing,
    namesWrongOnFreshJoin: namesWrong,
    lostCommands: unanswered + missing,
    ackP50Ms: r1(percentile(ms, 50)),
    ackP99Ms: r1(percentile(ms, 99)),
    ackMaxMs: r1(Math.max(...ms)),
    loadClicks: clickMs.length,
    clickAckP50Ms: r1(percentile(clickMs, 50)),
    ackedPerSec: r1(acked.length / (sendingMs / 1000)),
    factsDeliveredPerSec: Math.round(factsDelivered / (sendingMs / 1000)),
    loadFsyncs: syncs.count,
    loadFsyncP50Ms: r1(percentile(syncs.durationsMs, 50)),
    loadFsyncP99Ms: r1(percentile(syncs.durationsMs, 99)),
    loadServerResidenceP50Ms: r1(percentile(residence, 50)),
    loadServerResidenceP99Ms: r1(percentile(residence, 99)),
    clientLoopDelayP99Ms: r1(loop.percentile(99) / 1e6),
  };
}

/** The command ids of every facts record in the session's log on disk (the server is not running). */
async function commandIdsInLog(dataDir: string, sessionId: string): Promise<Set<string>> {
  const store = new FileSessionStore({ dataDir });
  try {
    const loaded = await store.load(sessionId);
    if (loaded.snapshot)
      throw new Error('the session was compacted into a snapshot; its log cannot be checked');
    const ids = new Set<string>();
    for (const record of loaded.records) {
      if (record.type !== FACTS_RECORD_TYPE) continue;
      const id = decodeFactsRecord(record).commandId;
      if (id) ids.add(id);
    }
    return ids;
  } finally {
    await store.closeAll();
  }
}
