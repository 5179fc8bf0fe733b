/**
 * The frame loop every video export shares: read frames a few ahead, turn each into raw pixels,
 * pipe them to ffmpeg, report progress, and on failure or abort kill ffmpeg (the atomic output
 * then removes the partial file).
 */
import { RotoError } from '@roto/shared';
import { getMediaTools, type MediaTools } from '../media/tools.ts';
import { startFfmpegPipe } from './ffmpeg-pipe.ts';
import { readFrames, type SourceFrame } from './frames.ts';
import { reporter, throwIfAborted } from './output.ts';
import type { ExportOptions, ExportSource } from './types.ts';

/** One video encode of a source. */
export interface VideoEncode {
  /** Named in error messages, e.g. "overlay video". */
  what: string;
  /** The ffmpeg arguments (inputs and output), without the leading `-hide_banner` etc. */
  args: string[];
  /** Whether each frame's pixels are needed (false: masks only). */
  pixels: boolean;
  /** The raw bytes ffmpeg receives for a frame. */
  paint(frame: SourceFrame): Uint8Array;
}

/** The ffmpeg to encode with, refusing one without the encoder a format needs. */
export async function encoderTools(encoder: 'libx264' | 'libvpx-vp9', format: string): Promise<MediaTools> {
  const tools = await getMediaTools();
  const has = encoder === 'libx264' ? tools.ffmpeg.encoders.libx264 : tools.ffmpeg.encoders.libvpxVp9;
  if (!has) {
    throw new RotoError(
      'INTERNAL',
      `This server's ffmpeg cannot write ${format} (the ${encoder} encoder is missing)`,
      {
        encoder,
      },
    );
  }
  return tools;
}

/** Runs one encode to completion; rejects (with ffmpeg killed) on any failure or abort. */
export async function runVideoEncode(
  source: ExportSource,
  ffmpegPath: string,
  job: VideoEncode,
  options: ExportOptions,
): Promise<void> {
  const report = reporter(options, source.frameCount);
  const pipe = startFfmpegPipe(ffmpegPath, job.args, job.what, options.signal);
  try {
    let done = 0;
    const frames = readFrames(source, { pixels: job.pixels, signal: options.signal });
    for await (const frame of frames) {
      await pipe.write(job.paint(frame));
      report(++done);
    }
    throwIfAborted(options.signal);
    await pipe.finish();
  } catch (err) {
    await pipe.kill();
    throw err;
  }
}

/** Output arguments padding an odd-sized picture to even sides (yuv420p needs even sides). */
export function evenPadArgs(width: number, height: number): string[] {
  return width % 2 === 0 && height % 2 === 0 ? [] : ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'];
}
