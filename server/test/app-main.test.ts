import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config/config.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** Runs `roto` (server/src/main.ts) the way `npm start` does, with a clean environment. */
function roto(args: string[], env: Record<string, string> = {}) {
  return spawnSync(TSX, [MAIN, ...args], {
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
});
