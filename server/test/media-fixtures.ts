import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../src/media/process.ts';
import { getMediaTools } from '../src/media/tools.ts';

/** A temp folder per test file, removed by `cleanup()`. */
export async function makeTempDir(
  prefix = 'roto-media-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs the resolved ffmpeg with `args` (throws with its stderr on failure). */
export async function ffmpeg(args: string[]): Promise<void> {
  const tools = await getMediaTools();
  const res = await runProcess(tools.ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  if (res.exitCode !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${res.stderr}`);
}

/** Options for a generated test video (small, so the suite stays fast on 2 cores). */
export interface TestVideo {
  width?: number;
  height?: number;
  fps?: number;
  frames?: number;
  codec?: 'libx264' | 'libvpx-vp9' | 'mpeg4';
  /** Adds a sine audio track. */
  audio?: boolean;
  /** Extra output options, e.g. `['-metadata:s:v', 'rotate=90']`. */
  extra?: string[];
}

/** Writes a `testsrc` video to `path` with exactly `frames` frames. */
export async function makeVideo(path: string, v: TestVideo = {}): Promise<void> {
  const { width = 96, height = 64, fps = 10, frames = 24, codec = 'libx264' } = v;
  const args = ['-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}`];
  if (v.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000');
  args.push('-frames:v', String(frames), '-c:v', codec, '-pix_fmt', 'yuv420p');
  if (codec === 'libvpx-vp9') args.push('-deadline', 'realtime', '-cpu-used', '8');
  if (v.audio) args.push('-shortest', '-c:a', path.endsWith('.webm') ? 'libopus' : 'aac');
  args.push(...(v.extra ?? []), path);
  await ffmpeg(args);
}
