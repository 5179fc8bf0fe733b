import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Roto's configuration: environment variables only, parsed once at start-up with zod, then frozen.
 * `CONFIG_VARIABLES` documents every variable (README and `--help` print it); `loadConfig` turns an
 * environment into a `Config` or throws a `ConfigError` naming every bad variable.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** One documented environment variable. */
export interface ConfigVariable {
  name: string;
  description: string;
  /** The default as a user would write it; absent for optional variables with no default. */
  default?: string;
}

/** Every variable Roto reads, in the order README lists them. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze([
  { name: 'PORT', description: 'HTTP and Socket.IO port (0 picks a free one)', default: '8080' },
  { name: 'HOST', description: 'interface to listen on', default: '0.0.0.0' },
  { name: 'DATA_DIR', description: 'sessions, decoded frames and exports', default: './data' },
  {
    name: 'MODEL_PACK',
    description: 'model pack name under MODELS_DIR, or a folder path',
    default: 'test-tiny',
  },
  { name: 'MODELS_DIR', description: 'where model packs live', default: '<repo>/models' },
  {
    name: 'ORT_PROVIDERS',
    description: 'onnxruntime execution providers, comma list (e.g. cuda,cpu)',
    default: 'cpu',
  },
  {
    name: 'EMBEDDING_CACHE_MB',
    description: 'byte budget of the image-embedding LRU, in MiB',
    default: '1024',
  },
  { name: 'GPU_LANE_CONCURRENCY', description: 'model calls run at once by the GPU lane', default: '1' },
  { name: 'MAX_UPLOAD_MB', description: 'largest accepted upload, in MiB', default: '2048' },
  {
    name: 'MAX_FRAME_SIDE',
    description: 'longer side of decoded frames, in pixels (never enlarged)',
    default: '1280',
  },
  { name: 'SESSION_TTL_HOURS', description: 'sessions idle this long are deleted', default: '72' },
  {
    name: 'URL_INGEST_PRIVATE',
    description: 'allow sessions from URLs on loopback and private networks (true/false)',
    default: 'false',
  },
  { name: 'PUBLIC_URL', description: 'URL users reach the server at (links in exports and logs)' },
  {
    name: 'CORS_ORIGINS',
    description: 'comma list of origins allowed to call the API from a browser',
    default: 'none',
  },
  { name: 'REDIS_URL', description: 'reserved: Socket.IO adapter and job queue across machines' },
  { name: 'LOG_LEVEL', description: 'debug, info, warn, error or silent', default: 'info' },
  {
    name: 'AUTH_MODE',
    description:
      'open: a join without a token is an editor (single user, quick start); token: every join and session read needs a token',
    default: 'open',
  },
  {
    name: 'ROTO_SECRET',
    description:
      'key that signs access tokens (≥ 32 characters); unset: generated once into DATA_DIR/secret.key',
  },
  {
    name: 'RATE_LIMIT_COMMANDS_PER_SEC',
    description: 'socket events one connection may send per second, sustained (RATE_LIMITED beyond)',
    default: '20',
  },
  { name: 'RATE_LIMIT_BURST', description: 'socket events one connection may send at once', default: '40' },
  {
    name: 'PRESENCE_MAX_PER_SEC',
    description: 'presence updates relayed per connection per second (the rest are merged)',
    default: '20',
  },
]);

/** How joins and session reads without a token are treated. */
export const AUTH_MODES = ['open', 'token'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu'] as const;

/** An unset or blank variable counts as absent, so `FOO= npm start` means "use the default". */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const intIn = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const commaList = z.string().transform((s) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean),
);

const url = (protocols: RegExp, hint: string) =>
  z
    .url({ error: `must be a URL (${hint})` })
    .refine((u) => protocols.test(u), { error: `must be a ${hint} URL` });

const EnvSchema = z.object({
  PORT: opt(intIn(0, 65535)).default(8080),
  HOST: opt(z.string().trim()).default('0.0.0.0'),
  DATA_DIR: opt(z.string()).default('./data'),
  MODEL_PACK: opt(z.string().trim()).default('test-tiny'),
  MODELS_DIR: opt(z.string()),
  ORT_PROVIDERS: opt(
    commaList.pipe(
      z
        .array(z.enum(PROVIDERS, { error: `each provider must be one of ${PROVIDERS.join(', ')}` }))
        .min(1, { error: 'must name at least one provider' }),
    ),
  ).default(['cpu']),
  EMBEDDING_CACHE_MB: opt(intIn(0, 1024 * 1024)).default(1024),
  GPU_LANE_CONCURRENCY: opt(intIn(1, 64)).default(1),
  MAX_UPLOAD_MB: opt(intIn(1, 1024 * 1024)).default(2048),
  MAX_FRAME_SIDE: opt(intIn(64, 8192)).default(1280),
  SESSION_TTL_HOURS: opt(intIn(1, 24 * 365)).default(72),
  URL_INGEST_PRIVATE: opt(
    z
      .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1'),
  ).default(false),
  PUBLIC_URL: opt(url(/^https?:\/\//, 'http(s)')),
  CORS_ORIGINS: opt(
    commaList.pipe(
      z.array(
        z.string().refine((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o), {
          error: 'each origin must be * or scheme://host[:port] with no path',
        }),
      ),
    ),
  ).default([]),
  REDIS_URL: opt(url(/^rediss?:\/\//, 'redis(s)')),
  LOG_LEVEL: opt(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })).default('info'),
  AUTH_MODE: opt(z.enum(AUTH_MODES, { error: `must be one of ${AUTH_MODES.join(', ')}` })).default('open'),
  // Short secrets can be brute-forced offline from any token a user holds.
  ROTO_SECRET: opt(z.string().min(32, { error: 'must be at least 32 characters' })),
  RATE_LIMIT_COMMANDS_PER_SEC: opt(intIn(1, 100_000)).default(20),
  RATE_LIMIT_BURST: opt(intIn(1, 100_000)).default(40),
  PRESENCE_MAX_PER_SEC: opt(intIn(1, 1000)).default(20),
});

/** The parsed, frozen configuration. Paths are absolute; sizes are in bytes. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly modelPack: string;
  readonly modelsDir: string;
  readonly ortProviders: readonly string[];
  readonly embeddingCacheBytes: number;
  readonly laneConcurrency: number;
  readonly maxUploadBytes: number;
  /** Longer side of decoded frames, in pixels. */
  readonly maxFrameSide: number;
  /** Idle sessions older than this are removed by the expiry job. */
  readonly sessionTtlMs: number;
  /** Whether `{ url }` ingest may reach loopback and private addresses (off: no SSRF into the LAN). */
  readonly urlIngestPrivate: boolean;
  readonly publicUrl: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly redisUrl: string | undefined;
  readonly logLevel: LogLevel;
  /** `open`: joins without a token are editors; `token`: a token is required. */
  readonly authMode: AuthMode;
  /** `ROTO_SECRET`; undefined: the key in `DATA_DIR/secret.key` (created on first start). */
  readonly secret: string | undefined;
  /** Per-connection token bucket of socket events (everything but presence). */
  readonly rateLimit: { readonly perSec: number; readonly burst: number };
  /** Presence updates relayed per connection per second; faster ones are coalesced. */
  readonly presenceMaxPerSec: number;
}

/** A bad environment; `problems` names each variable and what is wrong with it. */
export class ConfigError extends Error {
  readonly code = 'INVALID_INPUT' as const;

  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}\n` +
        'Run with --help to list every variable and its default.',
    );
    this.name = 'ConfigError';
  }
}

const MIB = 1024 * 1024;

/**
 * Parses the environment (default `process.env`) into a frozen `Config`. Relative paths resolve
 * against `cwd`. Throws a `ConfigError` listing every bad variable at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(environment)'),
      message: `${issue.message} (got ${JSON.stringify(env[String(issue.path[0])] ?? '')})`,
    }));
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: abs(e.DATA_DIR),
    modelPack: e.MODEL_PACK,
    modelsDir: e.MODELS_DIR ? abs(e.MODELS_DIR) : resolve(REPO_ROOT, 'models'),
    ortProviders: Object.freeze([...e.ORT_PROVIDERS]),
    embeddingCacheBytes: e.EMBEDDING_CACHE_MB * MIB,
    laneConcurrency: e.GPU_LANE_CONCURRENCY,
    maxUploadBytes: e.MAX_UPLOAD_MB * MIB,
    maxFrameSide: e.MAX_FRAME_SIDE,
    sessionTtlMs: e.SESSION_TTL_HOURS * 60 * 60 * 1000,
    urlIngestPrivate: e.URL_INGEST_PRIVATE,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    corsOrigins: Object.freeze([...e.CORS_ORIGINS]),
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    authMode: e.AUTH_MODE,
    secret: e.ROTO_SECRET,
    rateLimit: Object.freeze({ perSec: e.RATE_LIMIT_COMMANDS_PER_SEC, burst: e.RATE_LIMIT_BURST }),
    presenceMaxPerSec: e.PRESENCE_MAX_PER_SEC,
  });
}

/** The variables table as plain text, for `--help`. */
export function formatConfigHelp(): string {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  const lines = CONFIG_VARIABLES.map(
    (v) => `  ${v.name.padEnd(width)}  ${v.description}${v.default ? ` (default: ${v.default})` : ''}`,
  );
  return `Environment variables:\n${lines.join('\n')}`;
}
