/**
 * `npm run bench:ingest`: what making a session through the REST API costs, end to end.
 *
 * 1. Ingest: a 720p H.264 clip uploaded with `?wait=true` (streamed to disk, sniffed, probed,
 *    decoded to JPEG frames, thumbnail strip, records) against the bare baseline of one ffmpeg
 *    command decoding the same file to JPEGs with the same settings.
 * 2. Frame serving: sequential `GET /frames/:n` (200, body read) and revalidations (304), per
 *    request, against a bare `node:http` server answering with the same file from disk.
 *
 * `--json` prints one JSON object as the last line.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import type { InferenceEngine } from '../src/inference/engine.ts';
import { safeInputArgs } from '../src/media/ffmpeg-args.ts';
import { runProcess } from '../src/media/process.ts';
import { getMediaTools } from '../src/media/tools.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';

const json = process.argv.includes('--json');
const FRAMES = 150;
const REQUESTS = 300;

/** The sessions API never calls the model; the app only reports on it. */
const noModel: InferenceEngine = {
  info: () => ({ pack: 'none', kind: null, status: 'missing', providers: ['cpu'] }),
  ready: () => Promise.reject(new Error('no model')),
  segmentImage: () => Promise.reject(new Error('no model')),
  createVideoState: () => {
    throw new Error('no model');
  },
  cacheBytes: () => 0,
  close: async () => {},
};

async function ffmpeg(args: string[]): Promise<number> {
  const tools = await getMediaTools();
  const t = performance.now();
  const res = await runProcess(tools.ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  if (res.exitCode !== 0) throw new Error(res.stderr);
  return performance.now() - t;
}

async function timeRequests(url: string, headers: Record<string, string> = {}): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < REQUESTS; i++) await (await fetch(url, { headers })).arrayBuffer();
  return (performance.now() - t) / REQUESTS;
}

const dir = await mkdtemp(join(tmpdir(), 'roto-bench-ingest-'));
try {
  const clip = join(dir, 'clip.mp4');
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1280x720:rate=30',
    '-frames:v',
    String(FRAMES),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);

  // Bare baseline: the decode alone, same whitelist, codec and quality, nothing else.
  await mkdir(join(dir, 'bare'));
  const bareMs = await ffmpeg([
    ...safeInputArgs(),
    '-i',
    clip,
    '-map',
    '0:v:0',
    '-an',
    '-vf',
    'setsar=1',
    '-c:v',
    'mjpeg',
    '-q:v',
    '2',
    '-start_number',
    '0',
    join(dir, 'bare', '%05d.jpg'),
  ]);

  const dataDir = join(dir, 'data');
  const store = new FileSessionStore({ dataDir });
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const app = createApp({ config, engine: noModel, store, logger: createLogger({ level: 'silent' }) });
  const base = `http://127.0.0.1:${(await app.listen()).port}`;

  // When each phase was first seen, to show where the time over the bare decode goes.
  const phaseStart = new Map<string, number>();
  app.ingest?.events.on('progressed', (e) => {
    // A phase starts when the previous one ends: decode reports its first frames only after ~0.5 s.
    const key = e.phase === 'probe' && e.done === 1 ? 'decode' : e.phase;
    if (!phaseStart.has(key)) phaseStart.set(key, performance.now());
  });
  const form = new FormData();
  form.append('file', new Blob([await readFile(clip)]), 'clip.mp4');
  const t = performance.now();
  const res = await fetch(`${base}/api/v1/sessions?wait=true`, { method: 'POST', body: form });
  const end = performance.now();
  const ingestMs = end - t;
  const at = (phase: string) => phaseStart.get(phase) ?? end;
  const phasesMs = {
    upload: Math.round(at('probe') - t),
    probe: Math.round(at('decode') - at('probe')),
    decode: Math.round(at('thumbnails') - at('decode')),
    thumbnailsAndRecords: Math.round(end - at('thumbnails')),
  };
  const created = (await res.json()) as { sessionId: string; status: string; media: { frameCount: number } };
  if (created.status !== 'ready' || created.media.frameCount !== FRAMES)
    throw new Error(JSON.stringify(created));

  const frameUrl = `${base}/api/v1/sessions/${created.sessionId}/frames/${FRAMES / 2}`;
  const etag = (await fetch(frameUrl)).headers.get('etag') ?? '';
  const frameMs = await timeRequests(frameUrl);
  const notModifiedMs = await timeRequests(frameUrl, { 'if-none-match': etag });

  const framePath = join(dir, 'bare', `${String(FRAMES / 2).padStart(5, '0')}.jpg`);
  const bare = createServer((_req, out) => {
    out.writeHead(200, { 'content-type': 'image/jpeg' });
    createReadStream(framePath).pipe(out);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareFrameMs = await timeRequests(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);
  bare.close();
  await app.close({ graceMs: 100 });
  await store.closeAll();

  const result = {
    frames: FRAMES,
    size: '1280x720',
    bareDecodeMs: Math.round(bareMs),
    ingestMs: Math.round(ingestMs),
    ingestRatio: +(ingestMs / bareMs).toFixed(2),
    ingestFps: Math.round((FRAMES / ingestMs) * 1000),
    phasesMs,
    frameGetMs: +frameMs.toFixed(3),
    frame304Ms: +notModifiedMs.toFixed(3),
    bareFrameGetMs: +bareFrameMs.toFixed(3),
    frameGetRatio: +(frameMs / bareFrameMs).toFixed(2),
  };
  console.log(
    `ingest of ${FRAMES} frames 1280x720 (upload → ready, ?wait=true): ${result.ingestMs} ms (${result.ingestFps} fps)`,
  );
  console.log(
    `bare ffmpeg decode to JPEG, same file:                    ${result.bareDecodeMs} ms  → ratio ${result.ingestRatio}`,
  );
  console.log(`  phases (ms): ${JSON.stringify(phasesMs)}`);
  console.log(
    `GET frame (200, body read): ${result.frameGetMs} ms/request; 304 revalidation: ${result.frame304Ms} ms`,
  );
  console.log(
    `bare node:http serving the same file: ${result.bareFrameGetMs} ms/request → ratio ${result.frameGetRatio}`,
  );
  if (json) console.log(JSON.stringify(result));
} finally {
  await rm(dir, { recursive: true, force: true });
}
