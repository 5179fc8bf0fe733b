/**
 * Writes synthetic scenes to disk the way users bring videos: an H.264 MP4 (through a real
 * ffmpeg) or a folder of JPEG frames (through sharp).
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../src/inference/engine.ts';
import type { Scene } from './synthetic.ts';

/** Runs ffmpeg with `input` on stdin; resolves with stdout, rejects with the tail of stderr. */
function runFfmpeg(ffmpegPath: string, args: string[], input?: Uint8Array[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ffmpeg exited with ${code}: ${err}`));
    });
    // A closed stdin (ffmpeg gave up early) must surface as the exit error above, not crash.
    child.stdin.on('error', () => {});
    void (async () => {
      for (const chunk of input ?? []) {
        if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
      }
      child.stdin.end();
    })();
  });
}

/**
 * Encodes the scene as H.264 MP4 (yuv420p, CRF 10, keyframe every 12 frames) by piping raw RGB
 * frames to ffmpeg. CRF 10 keeps flat colours within a few levels of the source.
 */
export async function writeSceneVideo(scene: Scene, outPath: string, ffmpegPath: string): Promise<void> {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${scene.width}x${scene.height}`,
    '-r',
    String(scene.fps),
    '-i',
    'pipe:0',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '10',
    '-g',
    '12',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    outPath,
  ];
  await runFfmpeg(
    ffmpegPath,
    args,
    scene.frames.map((f) => f.data),
  );
}

/** Writes `00000.jpg`, `00001.jpg`, … (quality 95) into `dir`; returns the file paths. */
export async function writeSceneFrames(scene: Scene, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [i, frame] of scene.frames.entries()) {
    const path = join(dir, `${String(i).padStart(5, '0')}.jpg`);
    await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
      .toFile(path);
    paths.push(path);
  }
  return paths;
}

/** Decodes every frame of a video to RGB (for checks that want the colours after compression). */
export async function readVideoFrames(
  path: string,
  width: number,
  height: number,
  ffmpegPath: string,
): Promise<RgbImage[]> {
  const raw = await runFfmpeg(ffmpegPath, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-protocol_whitelist',
    'file',
    '-i',
    path,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${width}x${height}`,
    'pipe:1',
  ]);
  const size = width * height * 3;
  const frames: RgbImage[] = [];
  for (let off = 0; off + size <= raw.length; off += size) {
    frames.push({ data: new Uint8Array(raw.subarray(off, off + size)), width, height });
  }
  return frames;
}
