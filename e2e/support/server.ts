/**
 * Runs the real server (`server/src/main.ts`, as `npm start` does after building) on a free port
 * with its own DATA_DIR, for the end-to-end specs.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** A running server. */
export interface RunningServer {
  url: string;
  /** Stops the server (and the npx → tsx → node chain it runs in). */
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server with `MODEL_PACK=modelPack` and waits until it answers `readyPath`
 * (`/readyz` once the model is loaded; `/healthz` for a server whose pack is missing).
 */
export async function startServer(opts: {
  dataDir: string;
  modelPack: string;
  readyPath?: '/readyz' | '/healthz';
  /** More environment for the server (e.g. `AUTH_MODE`). */
  env?: Record<string, string>;
  /** The entry to run with tsx (default `server/src/main.ts`). */
  script?: string;
}): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn('npx', ['tsx', opts.script ?? 'server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: opts.dataDir,
      MODEL_PACK: opts.modelPack,
      ...opts.env,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stopping it stops npx, tsx and node together.
    detached: true,
  });
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (!child.pid || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}${opts.readyPath ?? '/readyz'}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server was not ready within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, stop };
}
