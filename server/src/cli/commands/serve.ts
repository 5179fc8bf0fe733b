/**
 * `roto serve`: the server, as `npm start` runs it but without building the web app. Each flag
 * sets its environment variable (flags win over the environment); the configuration is checked
 * before anything starts, so a bad value is a usage error naming it.
 */
import { parseArgs } from 'node:util';
import { ConfigError, formatConfigHelp, loadConfig } from '../../config/config.ts';
import { type CliIo, EXIT, UsageError } from './args.ts';

/** Each flag and the variable it sets. */
const FLAGS = {
  port: 'PORT',
  host: 'HOST',
  'data-dir': 'DATA_DIR',
  pack: 'MODEL_PACK',
  'models-dir': 'MODELS_DIR',
  providers: 'ORT_PROVIDERS',
  'max-side': 'MAX_FRAME_SIDE',
  'public-url': 'PUBLIC_URL',
  auth: 'AUTH_MODE',
  'log-level': 'LOG_LEVEL',
} as const;

type Flag = keyof typeof FLAGS;

export const SERVE_HELP = `Usage: roto serve [--port <n>] [--host <addr>] [options]

Runs the Roto server (HTTP, REST API and Socket.IO) until SIGINT or SIGTERM. Serves the web app
from client/dist when it has been built (npm run build); npm start builds it first.

Options (each sets the environment variable in brackets, and wins over it):
  --port <n>            [PORT] 0 picks a free port
  --host <addr>         [HOST]
  --data-dir <dir>      [DATA_DIR]
  --pack <name>         [MODEL_PACK] a pack under the models folder, or a folder path
  --models-dir <dir>    [MODELS_DIR]
  --providers <list>    [ORT_PROVIDERS] e.g. cuda,cpu
  --max-side <px>       [MAX_FRAME_SIDE]
  --public-url <url>    [PUBLIC_URL]
  --auth <mode>         [AUTH_MODE] open or token
  --log-level <level>   [LOG_LEVEL]
  -h, --help            this help

${formatConfigHelp()}
`;

/**
 * The environment `roto serve` runs with: `env` plus the flags in `args`. Throws a usage error for
 * an unknown flag, a stray argument or a value the configuration refuses.
 */
export function serveEnvironment(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): NodeJS.ProcessEnv | null {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }]),
  ) as Record<Flag, { type: 'string' }>;
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) return null;
  if (positionals.length > 0)
    throw new UsageError(`serve takes no arguments (got "${positionals.join(' ')}")`);
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [flag, variable] of Object.entries(FLAGS) as Array<[Flag, string]>) {
    const v = values[flag];
    if (typeof v === 'string') out[variable] = v;
  }
  try {
    loadConfig(out, cwd);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const named = err.problems.map((p) => {
      const flag = (Object.entries(FLAGS) as Array<[Flag, string]>).find(([, v]) => v === p.variable)?.[0];
      const given = flag !== undefined && values[flag] !== undefined;
      return `${given ? `--${flag}` : p.variable}: ${p.message}`;
    });
    throw new UsageError(`invalid configuration: ${named.join('; ')}`);
  }
  return out;
}

/**
 * Runs `roto serve`: checks the flags, then starts `main.ts` in this process with them applied to
 * `process.env`. Returns once the server has started; it runs until a signal stops the process.
 */
export async function runServe(args: readonly string[], io: CliIo): Promise<number> {
  const env = serveEnvironment(args, io.env, io.cwd);
  if (!env) {
    io.stdout.write(SERVE_HELP);
    return EXIT.ok;
  }
  // main.ts reads process.env once, at import.
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  await import('../../main.ts');
  return EXIT.ok;
}
