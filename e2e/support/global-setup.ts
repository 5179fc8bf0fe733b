/**
 * Starts what the end-to-end specs drive: builds the web app, writes the fixture video with its
 * ground truth, and runs the real server (`server/src/main.ts`) on a free port with a temporary
 * DATA_DIR and the test-tiny model pack. Specs find it in `ROTO_E2E_URL` / `ROTO_E2E_FIXTURE`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[]): void {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status}`);
}

async function waitReady(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server was not ready within 120 s:\n${log()}`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!process.env.ROTO_E2E_SKIP_BUILD) run('npx', ['vite', 'build', '--logLevel', 'warn']);
  const dir = await mkdtemp(join(tmpdir(), 'roto-e2e-'));
  const fixture = join(dir, 'fixture');
  run('npx', ['tsx', 'e2e/support/make-fixture.ts', fixture, '24']);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const server = spawn('npx', ['tsx', 'server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      MODEL_PACK: 'test-tiny',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8000);
  };
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  await waitReady(url, server, () => output);
  process.env.ROTO_E2E_URL = url;
  process.env.ROTO_E2E_FIXTURE = fixture;
  return async () => {
    // npx starts tsx which starts node: stop the whole group this setup started.
    if (server.pid && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    await rm(dir, { recursive: true, force: true });
  };
}
