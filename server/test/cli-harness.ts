/**
 * Runs the `roto` command line as a user does: a child process running the package bin
 * (`node server/bin/roto.js …`, which registers tsx's loader in-process) with its own environment,
 * its output collected, its exit code returned. Signals go straight to the CLI process: the tsx
 * CLI's signal relay force-kills a child that does not answer within 30 ms, which a loaded machine
 * turns into a spurious exit 143.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROTO_BIN = join(REPO_ROOT, 'server', 'bin', 'roto.js');

/** What a finished run left behind. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link runRoto}. */
export interface RunOptions {
  /** Added to the test's environment (MODEL_PACK=test-tiny is always set). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each stderr chunk as it arrives (to wait for a server to listen). */
  onStderr?: (chunk: string) => void;
  /** Receives the child, e.g. to signal it. */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

/** Runs `roto <args>` to completion. */
export function runRoto(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [ROTO_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, MODEL_PACK: 'test-tiny', LOG_LEVEL: 'info', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      options.onStderr?.(c);
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** A temporary folder and its removal. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
