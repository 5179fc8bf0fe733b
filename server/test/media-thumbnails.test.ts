import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, framePath } from '../src/media/decode.ts';
import { buildThumbnailStrip, sampleFrames, type ThumbnailIndex } from '../src/media/thumbnails.ts';
import { makeTempDir, makeVideo } from './media-fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
const p = (name: string) => join(dir, name);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await makeVideo(p('v.mp4'), { width: 128, height: 72, fps: 10, frames: 30 });
  await decodeFrames(p('v.mp4'), p('frames'));
});
afterAll(() => cleanup());

describe('sampleFrames', () => {
  it('spreads samples evenly, first and last frame included, never more than the frames', () => {
    expect(sampleFrames(30, 4)).toEqual([0, 10, 19, 29]);
    expect(sampleFrames(3, 100)).toEqual([0, 1, 2]);
    expect(sampleFrames(1, 100)).toEqual([0]);
    expect(sampleFrames(10_000, 100)).toHaveLength(100);
    expect(sampleFrames(10_000, 100).at(-1)).toBe(9_999);
  });
});

describe('buildThumbnailStrip', () => {
  it('writes a sprite and an index whose tiles show the frames they name', async () => {
    const index = await buildThumbnailStrip(p('frames'), 30, p('thumbs'), {
      maxTiles: 12,
      tileWidth: 32,
      columns: 5,
    });
    expect(index).toMatchObject({
      tileWidth: 32,
      tileHeight: 18,
      columns: 5,
      rows: 3,
      width: 160,
      height: 54,
    });
    expect(index.tiles).toHaveLength(12);
    expect(index.tiles[0]).toEqual({ frame: 0, x: 0, y: 0 });
    expect(index.tiles[6]).toMatchObject({ x: 32, y: 18 });
    expect(index.tiles.at(-1)!.frame).toBe(29);

    const onDisk = JSON.parse(await readFile(p('thumbs/thumbnails.json'), 'utf8')) as ThumbnailIndex;
    expect(onDisk).toEqual(index);
    const sprite = p(`thumbs/${index.sprite}`);
    const meta = await sharp(sprite).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 160, 54]);

    // Each tile matches its own frame better than the neighbouring tile's frame.
    for (const i of [0, 6, 11]) {
      const t = index.tiles[i]!;
      const other = index.tiles[i === 0 ? 1 : i - 1]!;
      const tile = await sharp(sprite)
        .extract({ left: t.x, top: t.y, width: 32, height: 18 })
        .raw()
        .toBuffer();
      const own = await scaled(framePath(p('frames'), t.frame));
      const neighbour = await scaled(framePath(p('frames'), other.frame));
      expect(diff(tile, own)).toBeLessThan(diff(tile, neighbour));
    }
  });

  it('defaults to 160 px tiles, up to 100 of them', async () => {
    const index = await buildThumbnailStrip(p('frames'), 30, p('thumbs-default'));
    expect(index).toMatchObject({ tileWidth: 160, tileHeight: 90, columns: 10, rows: 3 });
    expect(index.tiles.map((t) => t.frame)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});

function scaled(path: string): Promise<Buffer> {
  return sharp(path).resize(32, 18, { fit: 'fill' }).removeAlpha().raw().toBuffer();
}

function diff(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}
