/**
 * `examples/segment-video.ts` end to end, as a user runs it: a real server with the test pack,
 * a synthetic clip encoded to MP4 by a real ffmpeg, the script in its own process, and the PNGs
 * it writes read back and compared with the scene's ground truth. Also the REST helpers the
 * script relies on.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { RotoApi } from '@roto/shared/sdk';
import { fileFromPath } from '@roto/shared/sdk/node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { getMediaTools } from '../src/media/tools.ts';
import { type RealtimeServer, startRealtimeServer, tempDataDir } from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';
import { writeSceneVideo } from './support/synthetic-video.ts';

const FRAMES = 10;
const CLICK_FRAME = 4;
const scene = makeScene({ frames: FRAMES });
const disc = sceneObject(scene, SCENE_IDS.disc);
const repo = resolve(import.meta.dirname, '../..');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

let engine: OnnxEngine;
let server: RealtimeServer;
let work: { dir: string; remove: () => Promise<void> };
let video: string;

beforeAll(async () => {
  engine = createOnnxEngine({ pack: 'test-tiny' });
  work = await tempDataDir();
  server = await startRealtimeServer(engine, join(work.dir, 'data'));
  video = join(work.dir, 'clip.mp4');
  await writeSceneVideo(scene, video, (await getMediaTools()).ffmpeg.path);
});

afterAll(async () => {
  await server.stop();
  await engine.close();
  await work.remove();
});

/** Runs the example script; resolves with its exit code and output. */
function runExample(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [tsxCli, 'examples/segment-video.ts', ...args], { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('examples/segment-video.ts', () => {
  it('uploads, clicks, propagates both ways and writes one PNG per frame that covers the object', async () => {
    const out = join(work.dir, 'masks');
    const { x, y } = interiorPoint(disc.masks[CLICK_FRAME]!, scene.width);
    const run = await runExample([
      '--server',
      server.url,
      '--video',
      video,
      '--frame',
      String(CLICK_FRAME),
      '--x',
      String(x),
      '--y',
      String(y),
      '--out',
      out,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`session \\w+: ${FRAMES} frames, ${scene.width}×${scene.height}`));
    expect(run.stdout).toMatch(/propagating: \d+\/\d+ frames/);
    expect(run.stdout).toContain(`wrote ${FRAMES} masks`);

    const files = (await readdir(out)).sort();
    expect(files).toEqual(Array.from({ length: FRAMES }, (_, i) => `${String(i).padStart(5, '0')}.png`));
    for (const [frame, file] of files.entries()) {
      const meta = await sharp(join(out, file)).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([scene.width, scene.height, 1]);
      const data = await sharp(join(out, file)).extractChannel(0).raw().toBuffer();
      const mask = Uint8Array.from(data, (v) => (v > 127 ? 1 : 0));
      expect(maskIoU(mask, disc.masks[frame]!), `frame ${frame}`).toBeGreaterThan(0.8);
    }
  });

  it('--help prints the usage and exits 0; a missing --video exits 2 with the usage', async () => {
    const help = await runExample(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npx tsx examples/segment-video.ts');
    const bad = await runExample(['--x', '1', '--y', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--video is required');
  });
});

describe('RotoApi', () => {
  it('creates a session from a file, describes it, and serves its frames at frameUrl', async () => {
    const api = new RotoApi(`${server.url}/`);
    const created = await api.createSession(await fileFromPath(video), { wait: true });
    expect(created).toMatchObject({
      status: 'ready',
      media: { kind: 'video', frameCount: FRAMES, width: scene.width },
    });
    const details = await api.getSession(created.sessionId);
    expect(details).toMatchObject({
      sessionId: created.sessionId,
      status: 'ready',
      source: { kind: 'upload', fileName: 'clip.mp4' },
    });
    const frame = await fetch(api.frameUrl(created.sessionId, FRAMES - 1));
    expect(frame.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([scene.width, scene.height]);
  });

  it('a one-frame session from image bytes; failures reject with the problem code', async () => {
    const api = new RotoApi(server.url);
    const f = scene.frames[0]!;
    const png = await sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })
      .png()
      .toBuffer();
    const created = await api.createSession({ image: new Uint8Array(png) }, { wait: true });
    expect(created.media).toMatchObject({ kind: 'image', frameCount: 1 });
    await expect(api.getSession('nosuchsession000')).rejects.toMatchObject({
      name: 'RotoError',
      code: 'NOT_FOUND',
    });
    await expect(
      api.createSession({ file: new TextEncoder().encode('not a video'), fileName: 'x.mp4' }, { wait: true }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA',
    });
  });
});
