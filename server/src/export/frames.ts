/**
 * Reading a source frame by frame: the frame's pixels (decoded by sharp) and its masks, a few
 * frames ahead of the consumer so JPEG decoding overlaps with encoding, never the whole video.
 */
import { RotoError } from '@roto/shared';
import sharp from 'sharp';
import { throwIfAborted } from './output.ts';
import type { ExportSource, FrameMasks } from './types.ts';

/** One frame as exporters consume it. */
export interface SourceFrame {
  index: number;
  /** Packed RGB, width × height × 3 (absent when `pixels` was false). */
  rgb?: Uint8Array;
  masks: FrameMasks;
}

/** Options for {@link readFrames}. */
export interface ReadFramesOptions {
  /** Decode the frame images too (default true); false reads masks only. */
  pixels?: boolean;
  signal?: AbortSignal | undefined;
  /** Frames decoded ahead of the consumer (default 3). */
  ahead?: number;
}

/** Decodes frame `i` of `source` to packed RGB at the source's size. */
export async function readFrameRgb(source: ExportSource, i: number): Promise<Uint8Array> {
  const { data, info } = await sharp(source.framePath(i), {
    limitInputPixels: source.width * source.height + 1,
  })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== source.width || info.height !== source.height || info.channels !== 3) {
    throw new RotoError(
      'INTERNAL',
      `Frame ${i} is ${info.width}×${info.height}, expected ${source.width}×${source.height}`,
      {
        frame: i,
      },
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

async function load(source: ExportSource, i: number, pixels: boolean): Promise<SourceFrame> {
  const [rgb, masks] = await Promise.all([pixels ? readFrameRgb(source, i) : undefined, source.masks(i)]);
  return rgb ? { index: i, rgb, masks } : { index: i, masks };
}

/**
 * Yields the frames in order, keeping up to `ahead` reads in flight. Checks the signal before
 * each frame; a failed read rejects the iteration (reads already started are awaited quietly).
 */
export async function* readFrames(
  source: ExportSource,
  options: ReadFramesOptions = {},
): AsyncGenerator<SourceFrame> {
  const pixels = options.pixels ?? true;
  const ahead = Math.max(1, options.ahead ?? 3);
  const pending: Promise<SourceFrame>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length < ahead && next < source.frameCount) {
      const p = load(source, next++, pixels);
      // Keep a rejection from being "unhandled" while it waits its turn in the queue.
      p.catch(() => {});
      pending.push(p);
    }
  };
  try {
    fill();
    while (pending.length > 0) {
      throwIfAborted(options.signal);
      const frame = await pending.shift()!;
      fill();
      yield frame;
    }
  } finally {
    await Promise.allSettled(pending);
  }
}
