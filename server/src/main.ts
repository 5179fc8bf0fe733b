/**
 * `npm start` / `roto`: reads the configuration from the environment, builds the engine and the app,
 * listens, and closes gracefully on SIGINT / SIGTERM. Everything else happens in `createApp`.
 */
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';
import { type Config, ConfigError, formatConfigHelp, loadConfig } from './config/config.ts';
import { createLogger } from './observability/logger.ts';
import { FileSessionStore } from './storage/file-session-store.ts';

/** Exit code for a bad configuration (distinct from 1, a crash). */
const EXIT_BAD_CONFIG = 2;
/** How long open requests may take to finish after a shutdown signal before they are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    `Roto: real-time collaborative video segmentation server.\n\nUsage: npm start (or: npx tsx server/src/main.ts)\n\n${formatConfigHelp()}\n`,
  );
  process.exit(0);
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(EXIT_BAD_CONFIG);
}

const logger = createLogger({ level: config.logLevel });
process.on('uncaughtException', (err) => {
  logger.error('uncaught exception, exiting', { err });
  process.exit(1);
});

// Imported here, not at the top: `--help` and a bad environment answer without loading onnxruntime.
const { createOnnxEngine } = await import('./inference/onnx-engine.ts');
const engine = await createOnnxEngine({
  pack: config.modelPack,
  modelsDir: config.modelsDir,
  providers: config.ortProviders,
  cacheBytes: config.embeddingCacheBytes,
  log: (message) => logger.warn(message),
});
const clientDist = fileURLToPath(new URL('../../client/dist', import.meta.url));
const store = new FileSessionStore({ dataDir: config.dataDir });
const app = createApp({ config, engine, logger, staticDir: clientDist, store });
// Further layers attach here, before listening: routers with `app.mount(router)`, the realtime
// layer on `app.server` (registering its shutdown with `app.onClose`).

let address: Awaited<ReturnType<typeof app.listen>>;
try {
  address = await app.listen();
} catch (err) {
  logger.error((err as Error).message);
  await engine.close();
  process.exit(1);
}
const shownHost = ['0.0.0.0', '::', ''].includes(config.host) ? 'localhost' : config.host;
const url =
  config.publicUrl ?? `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
logger.info(`Roto listening on ${url}`, {
  host: address.address,
  port: address.port,
  pack: config.modelPack,
});

// Load the model in the background: /healthz answers at once, /readyz turns 200 once it is loaded,
// and a missing pack leaves the server up, saying how to fetch it.
engine.ready().then(
  () => logger.info('model ready', { ...engine.info() }),
  () => {
    const info = engine.info();
    logger.warn(`model unavailable: ${info.message ?? info.status}`, {
      pack: info.pack,
      fetchCommand: info.fetchCommand,
    });
  },
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      logger.warn(`second ${signal}: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: shutting down (again to force)`);
    app
      .close({ graceMs: SHUTDOWN_GRACE_MS })
      .then(() => store.closeAll())
      .then(() => engine.close())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error('shutdown failed', { err });
          process.exit(1);
        },
      );
  });
}
