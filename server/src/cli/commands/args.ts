/**
 * Command-line plumbing shared by the `roto` commands: where output goes, exit codes, the usage
 * error, and parsers for the JSON and number arguments that name what is wrong with them.
 */
import { stat } from 'node:fs/promises';
import { RotoError } from '@roto/shared';
import { z } from 'zod';
import type { TextOut } from '../progress.ts';

/** Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Where a command reads and writes; defaults to the process's own. */
export interface CliIo {
  stdout: TextOut;
  stderr: TextOut;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborting cancels the running work (temporary files are removed). */
  signal?: AbortSignal;
}

/** The command line is wrong: exit 2, the message names the argument and the problem. */
export class UsageError extends RotoError {
  override readonly name: string = 'UsageError';

  constructor(message: string, details?: unknown) {
    super('INVALID_INPUT', message, details);
  }
}

/** True for errors that `node:util` `parseArgs` throws (unknown option, missing value). */
export function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** Parses `text` as JSON for option `--name`, then checks it with `schema`. */
export function parseJsonOption<T>(name: string, text: string, schema: z.ZodType<T>, example: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--${name} is not valid JSON (${(err as Error).message}); write it like ${example}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at [${issue.path.join('][')}]` : '';
    throw new UsageError(
      `--${name} ${issue?.message ?? 'has the wrong shape'}${where} (got ${text}); write it like ${example}`,
    );
  }
  return parsed.data;
}

/** A whole number for `--name`, at least `min`. */
export function parseIntOption(name: string, text: string | undefined, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be a whole number ≥ ${min} (got "${text}")`);
  }
  return n;
}

/** One input file: present and a regular file, else a usage error naming the path. */
export async function requireInputFile(path: string | undefined, what: string): Promise<string> {
  if (path === undefined) throw new UsageError(`missing the ${what} to read`);
  const s = await stat(path).catch(() => null);
  if (!s) throw new UsageError(`no such file: ${path}`);
  if (!s.isFile()) throw new UsageError(`not a file: ${path}`);
  return path;
}

/** Writes a failure the user sees: the message and its code, never a stack for a known error. */
export function reportFailure(io: CliIo, command: string | undefined, err: unknown): number {
  const name = command ? `roto ${command}` : 'roto';
  if (err instanceof UsageError || isParseArgsError(err)) {
    io.stderr.write(`${name}: ${(err as Error).message}\nRun "${name} --help" for usage.\n`);
    return EXIT.usage;
  }
  const code = (err as { code?: unknown }).code;
  if (
    err instanceof RotoError ||
    (err instanceof Error && typeof code === 'string' && /^[A-Z_]+$/.test(code))
  ) {
    io.stderr.write(`${name}: ${(err as Error).message} [${code}]\n`);
    return EXIT.failure;
  }
  io.stderr.write(
    `${name}: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return EXIT.failure;
}

/** A zod schema for a pair of finite numbers. */
export const Pair = z.tuple([z.number().finite(), z.number().finite()], {
  error: 'must be a pair of numbers [x, y]',
});
