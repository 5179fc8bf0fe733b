/**
 * A benchmark participant: one socket.io-client socket that sends commands with fresh command ids,
 * times their acks, and stamps the arrival of the facts the benchmark waits for. It keeps no
 * copy of the facts (the load scenario delivers hundreds of thousands).
 */
import { randomUUID } from 'node:crypto';
import { type JoinAck, PROTOCOL_VERSION, type Result } from '@roto/shared';
import { DURABLE_FACT_TYPES, VOLATILE_FACT_SCHEMAS } from '@roto/shared/sdk';
import { io, type Socket } from 'socket.io-client';

/** A command's answer and how long it took from send to ack. */
export interface Timed<T> {
  res: Result<T>;
  /** `performance.now()` at send and at ack. */
  sentAt: number;
  ackAt: number;
  ms: number;
}

/** Every fact event a participant can receive: the contract's durable and volatile facts. */
const FACT_EVENTS: readonly string[] = [...DURABLE_FACT_TYPES, ...Object.keys(VOLATILE_FACT_SCHEMAS)];

export class BenchClient {
  readonly socket: Socket;
  /** Facts received, all kinds. */
  factsReceived = 0;
  /** Arrival time of each `mask:updated`, keyed `objectId:frame:version`. */
  readonly maskArrivals = new Map<string, number>();
  /** Latest frame a `mask:updated` arrived for, per object. */
  readonly latestMaskFrame = new Map<number, number>();
  /** Arrival of job end facts, by job id. */
  readonly jobEnds = new Map<string, { type: string; done?: number; at: number }>();
  private jobWaiters: Array<() => void> = [];

  constructor(url: string) {
    this.socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    for (const event of FACT_EVENTS) this.socket.on(event, () => this.factsReceived++);
    this.socket.on('mask:updated', (f: { objectId: number; frame: number; version: number }) => {
      this.maskArrivals.set(`${f.objectId}:${f.frame}:${f.version}`, performance.now());
      this.latestMaskFrame.set(f.objectId, f.frame);
    });
    for (const type of ['job:finished', 'job:cancelled', 'job:failed'] as const) {
      this.socket.on(type, (f: { jobId: string; done?: number }) => {
        this.jobEnds.set(f.jobId, {
          type,
          ...(f.done !== undefined ? { done: f.done } : {}),
          at: performance.now(),
        });
        for (const w of this.jobWaiters.splice(0)) w();
      });
    }
  }

  /** Joins a session as an editor; throws on a failure ack. */
  async join(sessionId: string, name: string): Promise<JoinAck> {
    const res = (await this.socket.timeout(60_000).emitWithAck('session:join', {
      protocolVersion: PROTOCOL_VERSION,
      sessionId,
      user: { name },
    })) as Result<JoinAck>;
    if (!res.ok) throw new Error(`join failed: ${res.error.code} ${res.error.message}`);
    return res.data;
  }

  /** Sends a command with a fresh `commandId` (or the given one) and times its ack. */
  async send<T = Record<string, unknown>>(
    event: string,
    payload: Record<string, unknown>,
    timeoutMs = 60_000,
  ): Promise<Timed<T> & { commandId: string }> {
    const commandId = (payload.commandId as string | undefined) ?? randomUUID();
    const sentAt = performance.now();
    const res = (await this.socket
      .timeout(timeoutMs)
      .emitWithAck(event, { ...payload, commandId })) as Result<T>;
    const ackAt = performance.now();
    return { res, sentAt, ackAt, ms: ackAt - sentAt, commandId };
  }

  /** Sends a command and returns its data, throwing on a failure ack. */
  async command<T = Record<string, unknown>>(
    event: string,
    payload: Record<string, unknown> = {},
  ): Promise<T> {
    const { res } = await this.send<T>(event, payload);
    if (!res.ok) throw new Error(`${event} failed: ${res.error.code} ${res.error.message}`);
    return res.data;
  }

  /** Resolves with the end fact of a job once it has arrived. */
  async jobEnd(jobId: string): Promise<{ type: string; done?: number; at: number }> {
    for (;;) {
      const end = this.jobEnds.get(jobId);
      if (end) return end;
      await new Promise<void>((resolve) => this.jobWaiters.push(resolve));
    }
  }

  close(): void {
    this.socket.close();
  }
}
