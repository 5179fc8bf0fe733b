/**
 * One-frame sessions (an uploaded image): the grayscale mask PNG and the cut-out PNG cropped to
 * the object's bounding box, read back with sharp; the registry's formats per session kind; and
 * the errors a user can trigger.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkExportRegistry,
  EXPORT_FORMATS,
  type ExportFormat,
  exportCutoutPng,
  exportMaskPng,
  formatsFor,
  runExport,
} from '../src/export/index.ts';
import { type SceneSource, sceneSource } from './export-harness.ts';

let dir: string;
let s: SceneSource;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roto-export-image-'));
  s = await sceneSource(join(dir, 'image'), { frames: 1, title: 'photo.png' });
  s.source.fps = 0;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function bboxOf(
  mask: Uint8Array,
  width: number,
): { left: number; top: number; width: number; height: number } {
  let x0 = width;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = -1;
  let y1 = -1;
  mask.forEach((v, q) => {
    if (!v) return;
    const x = q % width;
    const y = Math.floor(q / width);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  });
  return { left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

describe('single-frame exports', () => {
  it('mask PNG: one grey channel, 255 on the object and 0 elsewhere', async () => {
    const out = join(dir, 'mask.png');
    const res = await exportMaskPng(s.source, out, { objectIds: [1] });
    expect(res).toMatchObject({ mime: 'image/png', fileName: 'photo-mask.png' });
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 320, 240, 1]);
    const data = await sharp(out).toColourspace('b-w').raw().toBuffer();
    const truth = s.scene.objects.find((o) => o.id === 1)!.masks[0]!;
    expect([...data]).toEqual([...truth].map((v) => (v ? 255 : 0)));
  });

  it('cut-out PNG: cropped to the bounding box, opaque exactly on the object', async () => {
    const out = join(dir, 'cutout.png');
    await exportCutoutPng(s.source, out, { objectIds: [2] });
    const truth = s.scene.objects.find((o) => o.id === 2)!.masks[0]!;
    const box = bboxOf(truth, 320);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([box.width, box.height, 4]);
    for (let y = 0; y < box.height; y++) {
      for (let x = 0; x < box.width; x++) {
        const inside = truth[(y + box.top) * 320 + x + box.left] === 1;
        expect(data[4 * (y * box.width + x) + 3]).toBe(inside ? 255 : 0);
      }
    }
  });

  it('refuses a cut-out of an object without a mask, writing nothing', async () => {
    const source = { ...s.source, masks: () => new Map<number, Uint8Array>() };
    const out = join(dir, 'empty', 'cutout.png');
    await expect(exportCutoutPng(source, out, { objectIds: [1] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(await readdir(join(dir, 'empty'))).toEqual([]);
  });

  it('names an unknown object NOT_FOUND', async () => {
    await expect(exportMaskPng(s.source, join(dir, 'x.png'), { objectIds: [42] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'There is no object 42 in this session',
    });
  });
});

describe('export registry', () => {
  it('passes its start-up check and lists formats per session kind', () => {
    expect(() => checkExportRegistry()).not.toThrow();
    expect(formatsFor('image').map((f) => f.id)).toEqual([
      'davis-png-zip',
      'coco-json',
      'yolo-seg-zip',
      'mask-png',
      'cutout-png',
    ]);
    expect(formatsFor('video').map((f) => f.id)).toContain('overlay-mp4');
  });

  it('rejects duplicate ids at start-up', () => {
    const twice: ExportFormat[] = [EXPORT_FORMATS[0], { ...EXPORT_FORMATS[1], id: EXPORT_FORMATS[0].id }];
    expect(() => checkExportRegistry(twice)).toThrow(/declared twice/);
  });

  it('refuses a video format for an image session and an unknown format', async () => {
    await expect(runExport('overlay-mp4', 'image', s.source, join(dir, 'o.mp4'))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(runExport('gif', 'image', s.source, join(dir, 'o.gif'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('runs a format by id with the same result as calling it', async () => {
    const res = await runExport('coco-json', 'image', s.source, join(dir, 'reg', 'coco.json'));
    expect(res).toMatchObject({ mime: 'application/json', fileName: 'photo-coco.json' });
    expect(res.bytes).toBeGreaterThan(100);
  });
});
