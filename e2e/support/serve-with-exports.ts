/**
 * The server as `server/src/main.ts` builds it, plus the export jobs API (`exportsRouter`), so the
 * export dialog's job path is exercised in a browser before `main.ts` mounts that router itself.
 * Configuration from the environment, as main.ts reads it. Run with tsx.
 */
import { fileURLToPath } from 'node:url';
import type { App } from '../../server/src/app.ts';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config/config.ts';
import { ExportJobs, exportsRouter } from '../../server/src/export/index.ts';
import { sessionOpener } from '../../server/src/export/session-source.ts';
import { createOnnxEngine } from '../../server/src/inference/onnx-engine.ts';
import { createLogger } from '../../server/src/observability/logger.ts';
import { FileSessionStore } from '../../server/src/storage/file-session-store.ts';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const engine = await createOnnxEngine({
  pack: config.modelPack,
  modelsDir: config.modelsDir,
  providers: config.ortProviders,
  cacheBytes: config.embeddingCacheBytes,
  log: (message) => logger.warn(message),
});
const store = new FileSessionStore({ dataDir: config.dataDir });
// The jobs open sessions through the app's live rooms, which exist once the app is built.
let app: App | undefined;
const jobs = new ExportJobs({
  blobs: store.blobs,
  openSession: sessionOpener({ getOrLoad: (id) => app!.realtime!.sessions.getOrLoad(id) }, store.blobs),
});
app = createApp({
  config,
  engine,
  logger,
  store,
  staticDir: fileURLToPath(new URL('../../client/dist', import.meta.url)),
  routers: [exportsRouter({ jobs })],
});
await app.listen();
void engine.ready().catch(() => undefined);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void app!
      .close({ graceMs: 500 })
      .then(() => store.closeAll())
      .then(() => engine.close())
      .finally(() => process.exit(0));
  });
}
