import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config/config.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
// node with tsx's loader in-process: signals reach the server itself (the tsx CLI's relay
// force-kills a child that does not answer within 30 ms on a loaded machine).
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;

/** Runs `roto` (server/src/main.ts) the way `npm start` does, with a clean environment. */
function roto(args: string[], env: Record<string, string> = {}) {
  return spawnSync(NODE_TSX[0], [...NODE_TSX.slice(1), MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('roto command line', () => {
  it('--help prints every environment variable with its default and exits 0', () => {
    const res = roto(['--help']);
    expect(res.status).toBe(0);
    for (const v of CONFIG_VARIABLES) expect(res.stdout).toContain(v.name);
    expect(res.stdout).toMatch(/MODEL_PACK\s+.*\(default: test-tiny\)/);
  });

  it('a bad environment names each bad variable and exits 2', () => {
    const res = roto([], { PORT: 'http', ORT_PROVIDERS: 'cpu,tpu', MAX_UPLOAD_MB: '0' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('Invalid configuration:');
    expect(res.stderr).toContain('PORT: must be a number (got "http")');
    expect(res.stderr).toContain('ORT_PROVIDERS: each provider must be one of');
    expect(res.stderr).toContain('MAX_UPLOAD_MB: must be at least 1 (got "0")');
    expect(res.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('serves with a missing pack, says how to fetch it, and exits 0 on SIGTERM', async () => {
    const modelsDir = await mkdtemp(join(tmpdir(), 'roto-no-models-'));
    const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        MODELS_DIR: modelsDir,
        MODEL_PACK: 'test-tiny',
        DATA_DIR: join(modelsDir, 'data'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let log = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (chunk: string) => {
          log += chunk;
          const m = /Roto listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`roto exited early (${code}): ${log}`)));
      });
      const health = (await (await fetch(`${url}/healthz`)).json()) as { model: Record<string, unknown> };
      expect(health.model).toMatchObject({
        pack: 'test-tiny',
        status: 'missing',
        fetchCommand: 'npm run models:fetch -- test-tiny',
      });
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(log).toContain('"msg":"stopped"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(modelsDir, { recursive: true, force: true });
    }
  });
});
