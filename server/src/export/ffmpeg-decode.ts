/**
 * ffmpeg decoding a numbered JPEG sequence to raw limited-range yuv420p frames on its stdout,
 * yielded one frame at a time, read a few frames ahead of the consumer.
 */
import { spawn } from 'node:child_process';
import { RotoError } from '@roto/shared';
import { lastErrorLine } from '../media/process.ts';
import { fpsRational } from './ffmpeg-pipe.ts';
import { cancelledError } from './output.ts';
import { lowerPriority } from './process-priority.ts';
import { yuv420Size } from './yuv-overlay.ts';

/** ffmpeg's `lutyuv` for BT.601 full → limited range: Y 0..255 → 16..235, chroma → 16..240. */
const LIMITED_RANGE_LUT =
  'lutyuv=y=round(16+val*219/255):u=round(128+(val-128)*224/255):v=round(128+(val-128)*224/255)';

/**
 * Frame buffers handed back once ffmpeg has read them, so a long export does not allocate (and
 * zero, and collect) a frame-sized buffer per frame.
 */
export class FramePool {
  private readonly free: Uint8Array[] = [];

  constructor(readonly size: number) {}

  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(this.size);
  }

  give(buf: Uint8Array): void {
    if (buf.length === this.size && this.free.length < 8) this.free.push(buf);
  }
}

/** Pipe chunks (64 KiB) read ahead of the consumer: a few frames, so ffmpeg decodes while frames are blended. */
const AHEAD_CHUNKS = 96;

/**
 * Pulls from `source` into a queue of up to `limit` items in the background, so the producer is
 * not held to the consumer's pace item by item. Stops pulling when the consumer stops.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, limit: number): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const queue: T[] = [];
  let ended = false;
  let failed: { err: unknown } | undefined;
  let wake: (() => void) | undefined;
  let space: (() => void) | undefined;
  let stopped = false;
  const pump = (async () => {
    try {
      while (!stopped) {
        if (queue.length >= limit) {
          await new Promise<void>((r) => {
            space = r;
          });
          continue;
        }
        const next = await it.next();
        if (next.done) break;
        queue.push(next.value);
        wake?.();
      }
    } catch (err) {
      failed = { err };
    } finally {
      ended = true;
      wake?.();
    }
  })();
  try {
    while (true) {
      if (queue.length > 0) {
        const item = queue.shift()!;
        space?.();
        yield item;
        continue;
      }
      if (failed) throw failed.err;
      if (ended) return;
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = undefined;
    }
  } finally {
    stopped = true;
    space?.();
    await it.return?.();
    await pump;
  }
}

/**
 * Yields `count` frames of the sequence `pattern` (an image2 pattern, e.g. `file:/…/%05d.jpg`) as
 * limited-range yuv420p (ready for the encoder). Rejects with INTERNAL when ffmpeg fails or yields fewer frames, CANCELLED on
 * abort; ffmpeg is killed whenever the consumer stops early.
 */
export async function* decodeJpegSequence(
  ffmpegPath: string,
  pattern: string,
  options: {
    width: number;
    height: number;
    fps: number;
    count: number;
    signal?: AbortSignal | undefined;
    /** Where frame buffers come from (default: a new one per frame). */
    pool?: FramePool;
  },
): AsyncGenerator<Uint8Array> {
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'image2', '-protocol_whitelist', 'file'],
    ...['-start_number', '0', '-framerate', fpsRational(options.fps), '-i', pattern],
    // JPEG samples are full range; a lookup table maps them to the limited range H.264 players
    // expect (exactly as swscale would, at a fraction of its cost), keeping the pixel format as it is.
    ...[
      '-vf',
      LIMITED_RANGE_LUT,
      '-frames:v',
      String(options.count),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuvj420p',
      'pipe:1',
    ],
  ];
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  lowerPriority(child.pid);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code));
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // A signal that aborted before the spawn never fires `abort` again: kill at once then.
  if (options.signal?.aborted) kill();
  else options.signal?.addEventListener('abort', kill, { once: true });
  const size = yuv420Size(options.width, options.height);
  const pool = options.pool ?? new FramePool(size);
  let frame = pool.take();
  let filled = 0;
  let yielded = 0;
  try {
    for await (const chunk of readAhead(child.stdout as AsyncIterable<Buffer>, AHEAD_CHUNKS)) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(size - filled, chunk.length - off);
        frame.set(chunk.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === size) {
          yield frame;
          yielded++;
          frame = pool.take();
          filled = 0;
        }
      }
    }
    const code = await exited;
    if (options.signal?.aborted) throw cancelledError(options.signal);
    if (code !== 0 || yielded < options.count) {
      const line = lastErrorLine(stderr);
      throw new RotoError(
        'INTERNAL',
        `Reading the session's frames failed after ${yielded} of ${options.count}${line ? `: ${line}` : ''}`,
        { framesRead: yielded, frameCount: options.count, ffmpeg: line },
      );
    }
  } finally {
    kill();
    options.signal?.removeEventListener('abort', kill);
    await exited;
  }
}
