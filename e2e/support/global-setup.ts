/**
 * Prepares what the end-to-end specs drive: builds the web app (skip with ROTO_E2E_SKIP_BUILD=1),
 * writes the fixture video with its ground truth, and runs the real server on a free port with a
 * temporary DATA_DIR and the test-tiny model pack. Specs find them in `ROTO_E2E_URL` /
 * `ROTO_E2E_FIXTURE`; the returned teardown stops the server and removes the temp dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.ts';

const root = join(import.meta.dirname, '..', '..');

function run(cmd: string, args: string[]): void {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status}`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!process.env.ROTO_E2E_SKIP_BUILD) run('npx', ['vite', 'build', '--logLevel', 'warn']);
  const dir = await mkdtemp(join(tmpdir(), 'roto-e2e-'));
  const fixture = join(dir, 'fixture');
  run('npx', ['tsx', 'e2e/support/make-fixture.ts', fixture, '24']);
  const server = await startServer({ dataDir: join(dir, 'data'), modelPack: 'test-tiny' });
  process.env.ROTO_E2E_URL = server.url;
  process.env.ROTO_E2E_FIXTURE = fixture;
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
