/**
 * Helpers for the export tests: a synthetic scene on disk as an ExportSource (JPEG frames, exact
 * masks), a source video with a sine audio track, and independent readers — ffprobe for videos,
 * Python's zipfile for archives, sharp for PNGs.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { encodeMask, type MediaInfo } from '@roto/shared';
import type { ExportObject, ExportSource } from '../src/export/types.ts';
import { getMediaTools } from '../src/media/tools.ts';
import { SessionState } from '../src/sessions/state.ts';
import { makeScene, type Scene, type SceneOptions } from './support/synthetic.ts';
import { writeSceneFrames, writeSceneVideo } from './support/synthetic-video.ts';

/** Runs a program, resolving with stdout; rejects with stderr's tail on a non-zero exit. */
export function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString('latin1'))
        : reject(new Error(`${file} exited ${code}: ${err}`)),
    );
  });
}

/** Object colours deliberately unlike the scene's paint, so an overlay's tint is measurable. */
export const EXPORT_COLORS: Record<number, string> = { 1: '#ffd700', 2: '#00e5ff', 3: '#ff00ff' };

/** A scene written to `dir` as JPEG frames (and optionally a video with a 440 Hz sine track). */
export interface SceneSource {
  scene: Scene;
  source: ExportSource;
}

/** Writes the scene's frames (and, with `audio`, `source.mp4` with sound) and describes it as an ExportSource. */
export async function sceneSource(
  dir: string,
  options: SceneOptions & { audio?: boolean; title?: string } = {},
): Promise<SceneSource> {
  const scene = makeScene(options);
  const framesDir = join(dir, 'frames');
  await writeSceneFrames(scene, framesDir);
  const objects: ExportObject[] = scene.objects.map((o) => ({
    id: o.id,
    name: o.name,
    color: EXPORT_COLORS[o.id] ?? '#ffffff',
  }));
  const source: ExportSource = {
    width: scene.width,
    height: scene.height,
    fps: scene.fps,
    frameCount: scene.frames.length,
    hasAudio: false,
    title: options.title ?? 'Synthetic scene.mp4',
    framePath: (i) => join(framesDir, `${String(i).padStart(5, '0')}.jpg`),
    objects,
    masks: (i) => new Map(scene.objects.map((o) => [o.id, o.masks[i]!])),
  };
  if (options.audio) {
    const tools = await getMediaTools();
    const silent = join(dir, 'silent.mp4');
    const withAudio = join(dir, 'source.mp4');
    await writeSceneVideo(scene, silent, tools.ffmpeg.path);
    const seconds = (scene.frames.length / scene.fps + 0.5).toFixed(3);
    await run(tools.ffmpeg.path, [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-i',
        silent,
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=440:duration=${seconds}`,
      ],
      ...['-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', withAudio],
    ]);
    source.hasAudio = true;
    source.sourceVideoPath = withAudio;
  }
  return { scene, source };
}

/** What ffprobe says about a file's streams (frames counted by decoding). */
export interface Probed {
  video: {
    codec: string;
    width: number;
    height: number;
    fps: number;
    frames: number;
    pixFmt: string;
    tags: Record<string, string>;
  };
  audio: Array<{ codec: string }>;
}

/** Probes `path` with ffprobe, counting the video frames by decoding them. */
export async function probe(path: string): Promise<Probed> {
  const tools = await getMediaTools();
  const json = JSON.parse(
    await run(tools.ffprobe.path, ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', path]),
  ) as { streams: Array<Record<string, unknown>> };
  const v = json.streams.find((s) => s.codec_type === 'video');
  if (!v) throw new Error(`no video stream in ${path}`);
  const [num, den] = String(v.r_frame_rate).split('/').map(Number);
  return {
    video: {
      codec: String(v.codec_name),
      width: Number(v.width),
      height: Number(v.height),
      fps: num! / (den ?? 1),
      frames: Number(v.nb_read_frames),
      pixFmt: String(v.pix_fmt),
      tags: (v.tags ?? {}) as Record<string, string>,
    },
    audio: json.streams.filter((s) => s.codec_type === 'audio').map((s) => ({ codec: String(s.codec_name) })),
  };
}

/**
 * Extracts a zip with Python's zipfile (an independent reader that checks every CRC) into `dest`;
 * returns the member names in archive order.
 */
export async function unzipIndependently(zipPath: string, dest: string): Promise<string[]> {
  await mkdir(dest, { recursive: true });
  const script = [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'assert bad is None, "bad CRC in " + str(bad)',
    'z.extractall(sys.argv[2])',
    'print("\\n".join(z.namelist()))',
  ].join('\n');
  const out = await run('/usr/bin/python3', ['-c', script, zipPath, dest]);
  return out.split('\n').filter((l) => l.length > 0);
}

/** Every file under `dir`, as `/`-separated relative paths, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
  }
  return out.sort();
}

/** Decodes a whole video to raw pixels of `pixFmt` with ffmpeg (optionally forcing a decoder). */
export async function decodeVideo(path: string, pixFmt: 'rgb24' | 'rgba', decoder?: string): Promise<Buffer> {
  const tools = await getMediaTools();
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    ...(decoder ? ['-c:v', decoder] : []),
    '-i',
    path,
    '-f',
    'rawvideo',
    '-pix_fmt',
    pixFmt,
    'pipe:1',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(tools.ffmpeg.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`ffmpeg decode failed: ${err}`)),
    );
  });
}

/** Reads a JSON file. */
export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** A session document holding the scene: its objects (coloured gold) and every mask, as the session layer stores them. */
export function sessionStateOf(s: Scene): SessionState {
  const media: MediaInfo = {
    kind: 'video',
    width: s.width,
    height: s.height,
    fps: s.fps,
    frameCount: s.frames.length,
    durationSec: s.frames.length / s.fps,
    hasAudio: false,
  };
  const st = new SessionState(media, {
    dir: 'frames',
    count: s.frames.length,
    width: s.width,
    height: s.height,
  });
  let seq = 1;
  for (const o of s.objects)
    st.apply({ type: 'object:created', seq: seq++, object: { id: o.id, name: o.name, color: '#ffd700' } });
  for (const o of s.objects) {
    o.masks.forEach((m, frame) => {
      st.apply({
        type: 'mask:updated',
        seq: seq++,
        objectId: o.id,
        frame,
        version: 1,
        mask: encodeMask(m, s.width, s.height),
        present: true,
        source: 'propagation',
        direction: 'forward',
      });
    });
  }
  return st;
}
