import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { MediaError } from './errors.ts';
import { fileInput, refusedFormat, safeInputArgs } from './ffmpeg-args.ts';
import { lastErrorLine, runProcess } from './process.ts';
import { sniffFile } from './sniff.ts';
import { getMediaTools, type MediaTools } from './tools.ts';

/** What Roto needs to know about an uploaded video. */
export interface VideoInfo {
  /** Displayed width in pixels: after rotation and non-square pixels are applied. */
  width: number;
  /** Displayed height in pixels (see `width`). */
  height: number;
  /** Frames per second (the average rate, falling back to the base rate). */
  fps: number;
  /** The rate as ffprobe states it, e.g. `30000/1001`. */
  fpsRational: string;
  frameCount: number;
  /** `header`: the container's count; `packets`: counted by reading the file; `duration`: estimated. */
  frameCountSource: 'header' | 'packets' | 'duration';
  durationSec: number;
  /** Pixel aspect ratio of the coded picture (1 for square pixels; `width` already accounts for it). */
  sampleAspectRatio: number;
  /** ffprobe's codec id, e.g. `h264`, `vp9`. */
  codec: string;
  /** ffprobe's demuxer name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  formatName: string;
  hasAudio: boolean;
  /** Degrees the player turns the coded picture counter-clockwise to show it (display-matrix convention). */
  rotation: 0 | 90 | 180 | 270;
  sizeBytes: number;
}

/** Limits and plumbing for {@link probeVideo}. */
export interface ProbeOptions {
  /** Per ffprobe call; default 20 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Defaults to {@link getMediaTools}. */
  tools?: MediaTools;
  /** Refuse longer videos (PAYLOAD_TOO_LARGE); default 100 000, the most 5-digit frame names hold. */
  maxFrames?: number;
  /** Refuse a displayed side longer than this (PAYLOAD_TOO_LARGE); default 8192. */
  maxSide?: number;
}

/** Video codecs accepted from users (they must also be decodable by the resolved ffmpeg). */
export const ACCEPTED_VIDEO_CODECS: ReadonlySet<string> = new Set([
  'h264',
  'hevc',
  'vp8',
  'vp9',
  'av1',
  'mpeg4',
  'mpeg2video',
  'mpeg1video',
  'mjpeg',
  'prores',
  'dnxhd',
  'theora',
]);

const numeric = z.union([z.string(), z.number()]).optional();

const StreamSchema = z.looseObject({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  sample_aspect_ratio: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  duration: numeric,
  nb_frames: numeric,
  nb_read_packets: numeric,
  disposition: z.looseObject({ attached_pic: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.looseObject({ rotation: z.number().optional() })).optional(),
});

/** The part of `ffprobe -print_format json -show_format -show_streams` that Roto reads. */
export const FfprobeOutputSchema = z.looseObject({
  streams: z.array(StreamSchema).default([]),
  format: z.looseObject({ format_name: z.string().optional(), duration: numeric, size: numeric }).optional(),
});
export type FfprobeOutput = z.infer<typeof FfprobeOutputSchema>;
type Stream = z.infer<typeof StreamSchema>;

const DEFAULT_TIMEOUT_MS = 20_000;

/** Parses `30000/1001` (or `25`) to a number; undefined for `0/0` and garbage. */
export function parseRational(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [n, d = '1'] = text.split(/[/:]/);
  const value = Number(n) / Number(d);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function positive(value: string | number | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value !== 'N/A' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Runs ffprobe on a user's file with the protocol and format whitelists and parses its JSON.
 * `extra` adds arguments (e.g. `-count_packets`). Throws `UNSUPPORTED_MEDIA` for a refused
 * container, `INVALID_INPUT` for an unreadable file or a timeout.
 */
export async function runFfprobe(
  path: string,
  options: ProbeOptions & { extra?: string[] } = {},
): Promise<FfprobeOutput> {
  const tools = options.tools ?? (await getMediaTools());
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const args = ['-v', 'error', ...safeInputArgs(), '-print_format', 'json', ...(options.extra ?? [])];
  args.push('-show_format', '-show_streams', '-i', fileInput(path));
  const res = await runProcess(tools.ffprobe.path, args, {
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (res.aborted) throw new MediaError('CANCELLED', 'CANCELLED', 'Reading the video was cancelled.');
  if (res.timedOut) {
    throw new MediaError('TIMEOUT', 'TIMEOUT', `Reading the video took longer than ${timeoutMs / 1000} s.`);
  }
  if (res.exitCode !== 0) throw probeFailure(res.stderr, path);
  let json: unknown;
  try {
    json = JSON.parse(res.stdout);
  } catch (cause) {
    throw new MediaError('INTERNAL', 'TOOL_FAILED', 'ffprobe printed output that is not JSON.', undefined, {
      cause,
    });
  }
  return FfprobeOutputSchema.parse(json);
}

/** Maps ffprobe's stderr to the error the uploader sees. */
function probeFailure(stderr: string, path: string): MediaError {
  const format = refusedFormat(stderr);
  if (format) {
    return new MediaError(
      'UNSUPPORTED_MEDIA',
      'CONTAINER_NOT_ALLOWED',
      `The file is in the "${format}" format, which Roto does not open (it could point at other files). Upload an MP4, MOV, WebM, MKV or AVI video.`,
      { format },
    );
  }
  if (/moov atom not found/.test(stderr)) {
    return new MediaError(
      'INVALID_INPUT',
      'TRUNCATED',
      'The MP4 is incomplete: its index (moov atom) is missing, so the upload was probably cut off.',
    );
  }
  const line = lastErrorLine(stderr, fileInput(path));
  return new MediaError(
    'INVALID_INPUT',
    'UNREADABLE',
    `The video could not be read${line ? `: ${line}` : '.'}`,
    {
      ffprobe: line,
    },
  );
}

/** Normalises a rotation to 0/90/180/270 counter-clockwise degrees. */
function rotationOf(stream: Stream): 0 | 90 | 180 | 270 {
  const side = stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation;
  // Older ffprobe builds print a `rotate` tag in clockwise degrees instead of display-matrix data.
  const tag = stream.tags?.rotate;
  const ccw = side ?? (tag !== undefined ? -Number(tag) : 0);
  const quarter = Math.round((Number.isFinite(ccw) ? ccw : 0) / 90);
  return ((((quarter % 4) + 4) % 4) * 90) as 0 | 90 | 180 | 270;
}

/** Counts video packets by reading the whole file (no decoding): exact for containers without a count. */
async function countPackets(path: string, options: ProbeOptions): Promise<number | undefined> {
  try {
    const out = await runFfprobe(path, { ...options, extra: ['-count_packets', '-select_streams', 'v:0'] });
    return positive(out.streams[0]?.nb_read_packets);
  } catch (err) {
    if (err instanceof MediaError && err.code === 'CANCELLED') throw err;
    return undefined;
  }
}

/**
 * Probes a user's video safely: sniffs its real type first (a PNG or a text file renamed `.mp4`
 * gets a message saying so), then runs ffprobe with whitelists and a timeout. Errors:
 * `UNSUPPORTED_MEDIA` (not a video, refused container, no video stream, unsupported codec),
 * `INVALID_INPUT` (unreadable, truncated index, zero frames, timeout), `PAYLOAD_TOO_LARGE`
 * (over `maxFrames` or `maxSide`), `CANCELLED`.
 */
export async function probeVideo(path: string, options: ProbeOptions = {}): Promise<VideoInfo> {
  const tools = options.tools ?? (await getMediaTools());
  const opts = { ...options, tools };
  const sniffed = await sniffFile(path);
  if (sniffed.kind !== 'video') {
    throw new MediaError(
      'UNSUPPORTED_MEDIA',
      'NOT_A_VIDEO',
      `This is a ${sniffed.container.toUpperCase()} image, not a video.`,
      { detected: sniffed.container },
    );
  }
  const [out, { size }] = await Promise.all([runFfprobe(path, opts), stat(path)]);
  const stream = out.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!stream) {
    const audio = out.streams.some((s) => s.codec_type === 'audio');
    throw new MediaError(
      'UNSUPPORTED_MEDIA',
      'NO_VIDEO_STREAM',
      audio ? 'The file has sound but no video track.' : 'The file has no video track.',
    );
  }
  const codec = stream.codec_name ?? 'unknown';
  if (!ACCEPTED_VIDEO_CODECS.has(codec) || !tools.ffmpeg.decodableVideoCodecs.has(codec)) {
    throw new MediaError(
      'UNSUPPORTED_MEDIA',
      'UNSUPPORTED_CODEC',
      `The video uses the "${codec}" codec, which Roto cannot decode. Re-encode it as H.264 or VP9.`,
      { codec },
    );
  }
  if (!stream.width || !stream.height) {
    throw new MediaError('INVALID_INPUT', 'UNREADABLE', 'The video track has no picture size.');
  }

  const rotation = rotationOf(stream);
  const sar = parseRational(stream.sample_aspect_ratio) ?? 1;
  const storedWidth = Math.max(1, Math.round(stream.width * sar));
  const [width, height] = rotation % 180 === 0 ? [storedWidth, stream.height] : [stream.height, storedWidth];
  const maxSide = options.maxSide ?? 8192;
  if (Math.max(width, height) > maxSide) {
    throw new MediaError(
      'PAYLOAD_TOO_LARGE',
      'DIMENSIONS_TOO_LARGE',
      `The video is ${width}×${height}; the largest side Roto accepts is ${maxSide} pixels.`,
      { width, height, maxSide },
    );
  }

  const fpsRational =
    parseRational(stream.avg_frame_rate) !== undefined
      ? stream.avg_frame_rate!
      : (stream.r_frame_rate ?? '0/0');
  const fps = parseRational(fpsRational) ?? 0;
  const durationSec = positive(stream.duration) ?? positive(out.format?.duration) ?? 0;

  let frameCount = positive(stream.nb_frames);
  let frameCountSource: VideoInfo['frameCountSource'] = 'header';
  if (frameCount === undefined) {
    frameCount = await countPackets(path, opts);
    frameCountSource = 'packets';
  }
  if (frameCount === undefined && fps > 0) {
    frameCount = Math.round(durationSec * fps) || undefined;
    frameCountSource = 'duration';
  }
  if (frameCount === undefined || fps <= 0) {
    throw new MediaError('INVALID_INPUT', 'NO_FRAMES', 'The video has no frames.');
  }
  const maxFrames = options.maxFrames ?? 100_000;
  if (frameCount > maxFrames) {
    throw new MediaError(
      'PAYLOAD_TOO_LARGE',
      'TOO_MANY_FRAMES',
      `The video has ${frameCount} frames; the most Roto accepts is ${maxFrames}. Trim it first.`,
      { frameCount, maxFrames },
    );
  }

  return {
    width,
    height,
    fps,
    fpsRational,
    frameCount,
    frameCountSource,
    durationSec: durationSec || frameCount / fps,
    sampleAspectRatio: sar,
    codec,
    formatName: out.format?.format_name ?? 'unknown',
    hasAudio: out.streams.some((s) => s.codec_type === 'audio'),
    rotation,
    sizeBytes: size,
  };
}
