import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../inference/engine.ts';
import { MediaError } from './errors.ts';
import { fileInput, refusedFormat, safeInputArgs } from './ffmpeg-args.ts';
import { type ProbeOptions, probeVideo, type VideoInfo } from './probe.ts';
import { lastErrorLine, runProcess } from './process.ts';
import { ProgressParser } from './progress.ts';
import { getMediaTools, type MediaTools } from './tools.ts';

/** Decoding progress, reported as ffmpeg goes (about twice a second) and once more at the end. */
export interface DecodeProgress {
  framesDone: number;
  totalFrames: number;
  /** framesDone / totalFrames, clamped to 0..1; exactly 1 only once the output is verified. */
  ratio: number;
  /** Decoding speed in frames per second as ffmpeg reports it (0 while unknown). */
  fps: number;
}

/** Options for {@link decodeFrames}. */
export interface DecodeOptions {
  /** Cap on the longer side of the decoded frames; default 1280. Frames are never enlarged. */
  maxLongSide?: number;
  /** ffmpeg's `-q:v` for the mjpeg encoder, 2 (best) … 31; default 2. */
  jpegQuality?: number;
  onProgress?: (progress: DecodeProgress) => void;
  /** Aborting kills ffmpeg and removes the frames folder; the call rejects with `CANCELLED`. */
  signal?: AbortSignal;
  /** Whole-decode limit; default 30 minutes. */
  timeoutMs?: number;
  tools?: MediaTools;
  /** The probe result, when the caller already has it (otherwise the file is probed first). */
  info?: VideoInfo;
  /** Passed to the probe when `info` is absent. */
  probe?: Omit<ProbeOptions, 'tools' | 'signal'>;
}

/** The decoded video: `frameCount` JPEGs `00000.jpg`… in `framesDir`, all `width`×`height`. */
export interface DecodedVideo {
  framesDir: string;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  durationSec: number;
  /** The probe of the source file. */
  source: VideoInfo;
}

const FRAME_NAME = /^\d{5}\.jpg$/;

/** The file name of frame `index` (0-based), e.g. `00042.jpg`. */
export function frameFileName(index: number): string {
  return `${String(index).padStart(5, '0')}.jpg`;
}

/** The path of frame `index` inside a frames folder. */
export function framePath(framesDir: string, index: number): string {
  return join(framesDir, frameFileName(index));
}

/**
 * The output size for a `width`×`height` picture: the longer side capped at `maxLongSide`, aspect
 * kept, both sides even (what yuv420 encoders downstream need) and at least 2.
 */
export function fitEven(
  width: number,
  height: number,
  maxLongSide: number,
): { width: number; height: number } {
  const scale = Math.min(1, maxLongSide / Math.max(width, height));
  const even = (v: number) => Math.max(2, 2 * Math.round((v * scale) / 2));
  return { width: even(width), height: even(height) };
}

/** Creates `dir`, refusing one that already holds files (a decode never mixes two videos' frames). */
async function prepareEmptyDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new MediaError('CONFLICT', 'OUTPUT_EXISTS', 'The frames folder already holds files.', {
      framesDir: dir,
    });
  }
}

async function countFrames(dir: string): Promise<number> {
  return (await readdir(dir)).filter((f) => FRAME_NAME.test(f)).length;
}

/** Maps a failed ffmpeg run to the error the uploader sees. */
function decodeFailure(stderr: string, path: string, framesDone: number, total: number): MediaError {
  const format = refusedFormat(stderr);
  if (format) {
    return new MediaError(
      'UNSUPPORTED_MEDIA',
      'CONTAINER_NOT_ALLOWED',
      `The file is in the "${format}" format, which Roto does not open (it could point at other files). Upload an MP4, MOV, WebM, MKV or AVI video.`,
      { format },
    );
  }
  const line = lastErrorLine(stderr, fileInput(path));
  return new MediaError(
    'INVALID_INPUT',
    'TRUNCATED',
    `The video is damaged or incomplete: decoding stopped after ${framesDone} of ${total} frames${line ? ` (${line})` : ''}.`,
    { framesDone, totalFrames: total, ffmpeg: line },
  );
}

/**
 * Decodes every frame of a user's video once, to `framesDir/00000.jpg`… (mjpeg, `-q:v 2`), rotated
 * upright, scaled so the longer side is at most `maxLongSide` with even sides. ffmpeg runs with the
 * protocol/format whitelists and `-xerror`, and the frame count is checked afterwards: a truncated
 * file is an error, never a shorter video. On any failure or cancellation the frames folder is
 * removed. Errors: those of {@link probeVideo}, `INVALID_INPUT`/`TRUNCATED`, `TIMEOUT`,
 * `CANCELLED`, `CONFLICT` (the folder is not empty).
 */
export async function decodeFrames(
  inputPath: string,
  framesDir: string,
  options: DecodeOptions = {},
): Promise<DecodedVideo> {
  const { signal } = options;
  const cancelled = () => new MediaError('CANCELLED', 'CANCELLED', 'Decoding the video was cancelled.');
  if (signal?.aborted) throw cancelled();
  const tools = options.tools ?? (await getMediaTools());
  const info =
    options.info ?? (await probeVideo(inputPath, { ...options.probe, tools, ...(signal ? { signal } : {}) }));
  const size = fitEven(info.width, info.height, options.maxLongSide ?? 1280);
  const total = info.frameCount;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;

  await prepareEmptyDir(framesDir);
  // From here on, any way out other than success removes what was written.
  let ok = false;
  try {
    let framesDone = 0;
    const report = (done: number, fps: number, totalFrames = total, final = false) => {
      framesDone = done;
      const ratio = final ? 1 : Math.min(done / totalFrames, 0.999);
      options.onProgress?.({ framesDone: done, totalFrames, ratio, fps });
    };
    const parser = new ProgressParser((block) => report(block.frame, block.fps));

    const args = ['-hide_banner', '-nostdin', '-nostats', '-v', 'error', '-xerror', ...safeInputArgs()];
    args.push('-i', fileInput(inputPath), '-map', '0:v:0', '-an', '-sn', '-dn');
    // Autorotation is ffmpeg's default; the scale runs after it, on the upright picture. At the
    // source size the scaler is skipped: it would only cost time.
    const filters = ['setsar=1'];
    if (size.width !== info.width || size.height !== info.height || info.sampleAspectRatio !== 1) {
      filters.unshift(`scale=${size.width}:${size.height}:flags=area`);
    }
    args.push('-vf', filters.join(','));
    args.push('-vsync', 'passthrough', '-c:v', 'mjpeg', '-q:v', String(options.jpegQuality ?? 2));
    // `%` in the folder name would be read as part of the pattern: doubled, it is a literal.
    const pattern = `${fileInput(framesDir).replaceAll('%', '%%')}/%05d.jpg`;
    args.push('-f', 'image2', '-start_number', '0', '-progress', 'pipe:1', pattern);

    const res = await runProcess(tools.ffmpeg.path, args, {
      timeoutMs,
      ...(signal ? { signal } : {}),
      onStdout: (chunk) => parser.push(chunk),
      maxCaptureChars: 64 * 1024,
    });
    if (res.aborted) throw cancelled();
    if (res.timedOut) {
      throw new MediaError(
        'TIMEOUT',
        'TIMEOUT',
        `Decoding took longer than ${Math.round(timeoutMs / 1000)} s.`,
      );
    }
    const written = await countFrames(framesDir);
    if (res.exitCode !== 0) throw decodeFailure(res.stderr, inputPath, Math.max(framesDone, written), total);
    // Without an exact count from the container, allow the estimate to be slightly off.
    const needed = info.frameCountSource === 'duration' ? Math.floor(total * 0.98) - 1 : total;
    if (written < needed || written === 0) {
      throw new MediaError(
        'INVALID_INPUT',
        'TRUNCATED',
        `The video is damaged or incomplete: only ${written} of ${total} frames could be decoded.`,
        { framesDone: written, totalFrames: total },
      );
    }
    const first = await sharp(framePath(framesDir, 0)).metadata();
    if (first.width !== size.width || first.height !== size.height) {
      throw new MediaError(
        'INTERNAL',
        'TOOL_FAILED',
        `Decoded frames are ${first.width}×${first.height}, expected ${size.width}×${size.height}.`,
      );
    }
    report(written, parser.lastFps, written, true);
    ok = true;
    return {
      framesDir,
      width: size.width,
      height: size.height,
      fps: info.fps,
      frameCount: written,
      durationSec: info.durationSec,
      source: info,
    };
  } finally {
    if (!ok) await removeFramesDir(framesDir);
  }
}

/** Removes a frames folder written by {@link decodeFrames} (only its frame files, then the folder if empty). */
async function removeFramesDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.filter((f) => FRAME_NAME.test(f)).map((f) => rm(join(dir, f), { force: true })));
  await rmdir(dir).catch(() => undefined);
}

/** Reads a decoded frame (or any image sharp reads) as interleaved 8-bit RGB. */
export async function readFrameRgb(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({
    resolveWithObject: true,
  });
  if (info.channels !== 3) {
    throw new MediaError(
      'INTERNAL',
      'TOOL_FAILED',
      `Expected 3 channels from ${path}, got ${info.channels}.`,
    );
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}
