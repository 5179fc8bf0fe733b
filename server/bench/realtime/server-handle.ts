/** Starts `server-process.ts` as a child process and speaks to it over IPC. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ParentMessage, ServerMessage } from './server-process.ts';

const CHILD = fileURLToPath(new URL('./server-process.ts', import.meta.url));

type LaneMessage = Extract<ServerMessage, { kind: 'lane' }>;
type SyncsMessage = Extract<ServerMessage, { kind: 'syncs' }>;

/** A running benchmark server. */
export class BenchServer {
  /** Lane events received while observing (see `observeLane`). */
  readonly laneEvents: LaneMessage[] = [];
  private waiters: Array<(m: ServerMessage) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: ServerMessage) => {
      if (m.kind === 'lane') this.laneEvents.push(m);
      for (const w of this.waiters.splice(0)) w(m);
    });
  }

  /** Forks the server over `dataDir` with `env` added to this process's environment. */
  static async start(dataDir: string, env: Record<string, string>): Promise<BenchServer> {
    const child = fork(CHILD, [dataDir], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`the server process exited (code ${code}) before listening`)),
      );
      child.on('message', (m: ServerMessage) => {
        if (m.kind === 'ready') resolve(m.url);
      });
    });
    child.removeAllListeners('exit');
    return new BenchServer(child, url);
  }

  private post(m: ParentMessage): void {
    this.child.send(m);
  }

  private next<K extends ServerMessage['kind']>(kind: K): Promise<Extract<ServerMessage, { kind: K }>> {
    return new Promise((resolve) => {
      const wait = (m: ServerMessage) => {
        if (m.kind === kind) resolve(m as Extract<ServerMessage, { kind: K }>);
        else this.waiters.push(wait);
      };
      this.waiters.push(wait);
    });
  }

  /** Starts or stops forwarding the server's GPU-lane events into `laneEvents`. */
  observeLane(on: boolean): void {
    this.post({ kind: 'observe-lane', on });
  }

  /** Clears the server's record of fdatasync durations. */
  resetSyncs(): void {
    this.post({ kind: 'reset-syncs' });
  }

  /** The fdatasync calls of the op logs since the last reset. */
  async syncs(): Promise<SyncsMessage> {
    const reply = this.next('syncs');
    this.post({ kind: 'syncs' });
    return reply;
  }

  /**
   * Kills the process with SIGKILL: nothing gets to flush or snapshot, so the op log on disk holds
   * exactly what was durable (what the load scenario reads back).
   */
  async kill(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Starts the server's CPU profiler. */
  startProfile(): void {
    this.post({ kind: 'profile', on: true });
  }

  /** Stops the server's CPU profiler and writes the profile to `path`. */
  async stopProfile(path: string): Promise<void> {
    const reply = this.next('profiled');
    this.post({ kind: 'profile', on: false, path });
    await reply;
  }

  /** Server-side residence of the commands answered since the last call, ms, by event. */
  async residence(): Promise<Record<string, number[]>> {
    const reply = this.next('residence');
    this.post({ kind: 'residence' });
    return (await reply).byEvent;
  }

  /** Closes the app and the store gracefully; resolves once the process has exited. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.post({ kind: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
