import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { framePath } from './decode.ts';
import { MediaError } from './errors.ts';

/** Options for {@link buildThumbnailStrip}. */
export interface ThumbnailOptions {
  /** At most this many tiles, sampled evenly over the video; default 100. */
  maxTiles?: number;
  /** Tile width in pixels; default 160 (height follows the frame's aspect). */
  tileWidth?: number;
  /** Tiles per sprite row; default 10. */
  columns?: number;
  /** JPEG quality of the sprite; default 75. */
  quality?: number;
}

/** Where each thumbnail sits in the sprite, as written to `thumbnails.json`. */
export interface ThumbnailIndex {
  version: 1;
  /** The sprite's file name, next to the index. */
  sprite: string;
  /** Sprite size in pixels. */
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
  /** One per thumbnail, in frame order: the frame it shows and its tile's top-left corner. */
  tiles: { frame: number; x: number; y: number }[];
}

/** File names written into the output folder. */
export const THUMBNAIL_SPRITE = 'thumbnails.jpg';
export const THUMBNAIL_INDEX = 'thumbnails.json';

/** `count` frame indices spread evenly over `frameCount` frames, first and last included. */
export function sampleFrames(frameCount: number, count: number): number[] {
  const n = Math.max(0, Math.min(count, frameCount));
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.round((i * (frameCount - 1)) / (n - 1)));
}

/** Runs `fn` over `items` with at most `limit` in flight (sharp has its own thread pool; this bounds memory). */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Builds a timeline thumbnail strip from decoded frames (`framesDir/00000.jpg`…): one sprite JPEG
 * and a JSON index of tile positions, written to `outDir` (files are renamed into place, so a
 * reader never sees half a sprite). Returns the index.
 */
export async function buildThumbnailStrip(
  framesDir: string,
  frameCount: number,
  outDir: string,
  options: ThumbnailOptions = {},
): Promise<ThumbnailIndex> {
  if (!Number.isInteger(frameCount) || frameCount < 1) {
    throw new MediaError('INVALID_INPUT', 'NO_FRAMES', 'There are no frames to make thumbnails from.');
  }
  const tileWidth = options.tileWidth ?? 160;
  const frames = sampleFrames(frameCount, options.maxTiles ?? 100);
  const columns = Math.min(options.columns ?? 10, frames.length);
  const rows = Math.ceil(frames.length / columns);

  const first = await sharp(framePath(framesDir, 0)).metadata();
  if (!first.width || !first.height) {
    throw new MediaError('INTERNAL', 'TOOL_FAILED', 'The first decoded frame has no size.');
  }
  const tileHeight = Math.max(1, Math.round((tileWidth * first.height) / first.width));

  const tiles = frames.map((frame, i) => ({
    frame,
    x: (i % columns) * tileWidth,
    y: Math.floor(i / columns) * tileHeight,
  }));
  const pixels = await mapLimit(tiles, 4, (t) =>
    sharp(framePath(framesDir, t.frame))
      .resize(tileWidth, tileHeight, { fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer(),
  );

  const width = columns * tileWidth;
  const height = rows * tileHeight;
  const sprite = await sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite(
      tiles.map((t, i) => ({
        input: pixels[i] as Buffer,
        raw: { width: tileWidth, height: tileHeight, channels: 3 as const },
        left: t.x,
        top: t.y,
      })),
    )
    .jpeg({ quality: options.quality ?? 75 })
    .toBuffer();

  const index: ThumbnailIndex = {
    version: 1,
    sprite: THUMBNAIL_SPRITE,
    width,
    height,
    tileWidth,
    tileHeight,
    columns,
    rows,
    tiles,
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, `${THUMBNAIL_SPRITE}.tmp`), sprite);
  await writeFile(join(outDir, `${THUMBNAIL_INDEX}.tmp`), JSON.stringify(index));
  await rename(join(outDir, `${THUMBNAIL_SPRITE}.tmp`), join(outDir, THUMBNAIL_SPRITE));
  await rename(join(outDir, `${THUMBNAIL_INDEX}.tmp`), join(outDir, THUMBNAIL_INDEX));
  return index;
}
