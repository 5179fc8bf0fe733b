/**
 * `models` command line: `list` shows every model pack and its state on disk, `fetch` downloads
 * and verifies a pack. Run by `npm run models:list` / `npm run models:fetch -- <pack>`; the
 * `roto` command reuses `runModelsCli`.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FetchError } from '../models-fetch/errors.ts';
import { fetchPack } from '../models-fetch/fetch-pack.ts';
import { isDirectory, isPathLike, locateModels, packDir } from '../models-fetch/locate.ts';
import type { TextOut } from '../models-fetch/progress.ts';
import { listPacks } from '../models-fetch/status.ts';
import { formatList } from './models-format.ts';

/** Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Where the CLI reads and writes; defaults to the process's own. */
export interface ModelsCliIo {
  stdout: TextOut;
  stderr: TextOut;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Cancels a running fetch (the partial file is kept for resuming). */
  signal?: AbortSignal;
  /** Download tuning, for callers that cannot wait for the default backoff (1 s, doubling). */
  fetch?: { retries?: number; backoffMs?: number; idleTimeoutMs?: number };
}

const HELP = {
  main: `Usage: models <command> [options]

Commands:
  list               every model pack, its status and size on disk
  fetch <pack>       download and verify a pack (a name under the models folder, or a folder path)

Options:
  -h, --help         help for a command (models <command> --help)

Environment: MODELS_DIR (default: the repository's models/), MODEL_PACK (active pack, default test-tiny).
`,
  list: `Usage: models list [--json] [--verify] [--dir <models folder>]

Lists every pack under the models folder (and MODEL_PACK when it is a folder elsewhere): name,
title, kind, family, size, status and bytes on disk. The active pack is marked with *.

Status: installed (every file present with the right size), partial (some files, or an unfinished
download), missing (no file yet), corrupt (a file of the wrong size or checksum, or a bad manifest).

Options:
  --json             one JSON document on stdout, for programs
  --verify           also hash every file and check pinned sha256 values (slow for large packs)
  --dir <folder>     the models folder (default: MODELS_DIR or the repository's models/)
  -h, --help         this help
`,
  fetch: `Usage: models fetch <pack> [--force] [--pin] [--dir <models folder>] [--retries <n>]

Downloads every file of the pack's manifest into its folder, resuming unfinished downloads,
checking sizes and pinned sha256 checksums, and prints each file's hash and licence.
<pack> is a pack name under the models folder, or a path to a pack folder: a folder given by
path is only verified, never downloaded into.

Options:
  --force            download every file again
  --pin              write the computed sha256 and size of each file into manifest.json
  --dir <folder>     the models folder (default: MODELS_DIR or the repository's models/)
  --retries <n>      retries after a network error (default 5, with backoff)
  -h, --help         this help

Exit status: 0 every file present and verified, 1 a file failed, 2 wrong usage.
`,
} as const;

class UsageError extends Error {}

/**
 * Runs the `models` command line with `argv` (without the program name) and returns the exit
 * code; never calls `process.exit`. Output goes to `io.stdout` / `io.stderr`.
 */
export async function runModelsCli(argv: readonly string[], io: Partial<ModelsCliIo> = {}): Promise<number> {
  const full: ModelsCliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    signal: io.signal,
    fetch: io.fetch,
  };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        full.stdout.write(HELP[rest[0] === 'list' || rest[0] === 'fetch' ? rest[0] : 'main']);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case 'list':
        return await listCommand(rest, full);
      case 'fetch':
        return await fetchCommand(rest, full);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      full.stderr.write(
        `models: ${(err as Error).message}\n\n${HELP[command === 'list' || command === 'fetch' ? command : 'main']}`,
      );
      return EXIT.usage;
    }
    if (err instanceof FetchError) {
      full.stderr.write(`models: ${err.message} [${err.code}]\n`);
      return EXIT.failure;
    }
    full.stderr.write(
      `models: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT.failure;
  }
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

async function listCommand(args: string[], io: ModelsCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(HELP.list);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw new UsageError(`list takes no arguments (got "${positionals.join(' ')}")`);
  const loc = locateModels(io.env, io.cwd, values.dir);
  const packs = await listPacks(loc, { verify: values.verify });
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ modelsDir: loc.modelsDir, activePack: loc.activePack, packs }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(formatList(loc, packs));
  }
  return EXIT.ok;
}

async function fetchCommand(args: string[], io: ModelsCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      force: { type: 'boolean', default: false },
      pin: { type: 'boolean', default: false },
      dir: { type: 'string' },
      retries: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(HELP.fetch);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? 'fetch needs a pack name or folder' : 'fetch takes one pack at a time',
    );
  }
  const retries = values.retries === undefined ? io.fetch?.retries : Number(values.retries);
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
    throw new UsageError(`--retries must be a whole number ≥ 0 (got "${values.retries}")`);
  }
  const pack = positionals[0]!;
  const loc = locateModels(io.env, io.cwd, values.dir);
  const dir = packDir(pack, loc.modelsDir, loc.cwd);
  if (!isDirectory(dir)) {
    const where = isPathLike(pack) ? dir : `${loc.modelsDir} (no folder "${pack}")`;
    throw new FetchError(
      'NOT_FOUND',
      'pack-not-found',
      `unknown pack "${pack}": nothing at ${where}; "models list" shows the packs`,
    );
  }
  const result = await fetchPack({
    dir,
    verifyOnly: isPathLike(pack),
    force: values.force,
    pin: values.pin,
    out: io.stdout,
    progressOut: io.stderr,
    retries,
    backoffMs: io.fetch?.backoffMs,
    idleTimeoutMs: io.fetch?.idleTimeoutMs,
    signal: io.signal,
  });
  if (result.ok && result.manifest.name !== loc.activePack && !isPathLike(pack)) {
    io.stdout.write(`use it: MODEL_PACK=${result.manifest.name} npm start\n`);
  }
  return result.ok ? EXIT.ok : EXIT.failure;
}

/** True when this file is the program being run (not imported). */
function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  // Ctrl-C keeps the partial file: the next fetch resumes it.
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.exitCode = await runModelsCli(process.argv.slice(2), { signal: abort.signal });
}
