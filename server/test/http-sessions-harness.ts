/**
 * A real server on port 0 with a real file store in a temp DATA_DIR, for the sessions API tests,
 * plus helpers that drive it the way a script or a browser would.
 */
import { readdir } from 'node:fs/promises';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import type { IngestOverrides } from '../src/http/sessions/index.ts';
import type { EngineInfo, InferenceEngine } from '../src/inference/engine.ts';
import { ingestTempDir } from '../src/ingest/temp-files.ts';
import { runProcess } from '../src/media/process.ts';
import { getMediaTools } from '../src/media/tools.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';

/**
 * The engine of a machine without model weights. The sessions API never calls the model, so the
 * tests do not load one; this is what `createOnnxEngine` reports for a pack that is not fetched.
 */
class NoModelEngine implements InferenceEngine {
  info(): EngineInfo {
    return { pack: 'none', kind: null, status: 'missing', providers: ['cpu'], message: 'No model pack.' };
  }
  async ready(): Promise<void> {
    throw Object.assign(new Error('No model pack.'), { code: 'MODEL_UNAVAILABLE' });
  }
  async segmentImage(): Promise<never> {
    throw Object.assign(new Error('No model pack.'), { code: 'MODEL_UNAVAILABLE' });
  }
  createVideoState(): never {
    throw Object.assign(new Error('No model pack.'), { code: 'MODEL_UNAVAILABLE' });
  }
  cacheBytes(): number {
    return 0;
  }
  async close(): Promise<void> {}
}

/** A running server and what the tests look at. */
export interface Harness {
  app: App;
  base: string;
  store: FileSessionStore;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts the server with a fresh store in `dataDir`; `env` adds configuration variables. */
export async function startServer(
  dataDir: string,
  env: Record<string, string> = {},
  ingestOverrides: IngestOverrides = {},
): Promise<Harness> {
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    URL_INGEST_PRIVATE: 'true',
    ...env,
  });
  const store = new FileSessionStore({ dataDir });
  const app = createApp({
    config,
    engine: new NoModelEngine(),
    store,
    ingestOverrides,
    logger: createLogger({ level: 'silent' }),
  });
  const address = await app.listen();
  return {
    app,
    base: `http://127.0.0.1:${address.port}`,
    store,
    dataDir,
    close: async () => {
      await app.close({ graceMs: 100 });
      await store.closeAll();
    },
  };
}

/** Files left in the ingest temp folder (uploads and downloads in flight or forgotten). */
export async function tempFilesLeft(dataDir: string): Promise<string[]> {
  return readdir(ingestTempDir(dataDir)).catch(() => []);
}

/** POSTs a file as a multipart upload (field `file`). */
export function upload(base: string, bytes: Uint8Array, fileName: string, query = ''): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), fileName);
  return fetch(`${base}/api/v1/sessions${query}`, { method: 'POST', body: form });
}

/** POSTs a JSON body. */
export function postJson(base: string, body: unknown, query = ''): Promise<Response> {
  return fetch(`${base}/api/v1/sessions${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Polls `GET /sessions/:id` until ingest is no longer running; returns the last body. */
export async function waitForIngest(base: string, sessionId: string): Promise<Record<string, unknown>> {
  for (;;) {
    const res = await fetch(`${base}/api/v1/sessions/${sessionId}`);
    const body = (await res.json()) as Record<string, unknown>;
    if (body.status !== 'ingesting') return body;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What ffprobe itself says about a video's first stream: decoded frame count and size. */
export async function ffprobeCount(path: string): Promise<{ frames: number; width: number; height: number }> {
  const tools = await getMediaTools();
  const res = await runProcess(tools.ffprobe.path, [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames,width,height',
    '-of',
    'json',
    path,
  ]);
  const stream = (JSON.parse(res.stdout) as { streams: Array<Record<string, string | number>> }).streams[0];
  return {
    frames: Number(stream?.nb_read_frames),
    width: Number(stream?.width),
    height: Number(stream?.height),
  };
}

/** The problem document of an error response (and a check that it is one). */
export async function problemOf(
  res: Response,
): Promise<{ code: string; detail: string; status: number; details?: Record<string, unknown> }> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json'))
    throw new Error(`not a problem: ${res.status} ${type} ${await res.text()}`);
  return (await res.json()) as { code: string; detail: string; status: number };
}
