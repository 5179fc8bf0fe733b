/**
 * Dataset exports on a synthetic scene with exact masks, each read back by an independent reader:
 * Python's zipfile for the archives, sharp for the PNGs, the shared COCO RLE decoder for the JSON
 * formats, and a scanline polygon fill for YOLO labels.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CocoRle, decodeCocoRle } from '@roto/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportCocoJson,
  exportCutoutPngZip,
  exportDavisZip,
  exportYoloSegZip,
  exportYtvisJson,
  vocPalette,
} from '../src/export/index.ts';
import { listFiles, readJson, type SceneSource, sceneSource, unzipIndependently } from './export-harness.ts';
import { fillPolygons } from './support/polygon-fill.ts';
import { maskIoU } from './support/synthetic.ts';

const FRAMES = 6;
let dir: string;
let s: SceneSource;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roto-export-data-'));
  // exitAndReturn: the triangle leaves the picture, so some frames have no mask for it.
  s = await sceneSource(join(dir, 'scene'), {
    frames: FRAMES,
    exitAndReturn: true,
    occlusion: true,
    title: 'Clip A.mov',
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function objectMask(id: number, frame: number): Uint8Array {
  return s.scene.objects.find((o) => o.id === id)!.masks[frame]!;
}

function isEmpty(mask: Uint8Array): boolean {
  return !mask.some((v) => v !== 0);
}

describe('DAVIS PNG zip', () => {
  it('holds indexed PNGs whose palette indices are the objects, with the VOC colours', async () => {
    const out = join(dir, 'davis.zip');
    const res = await exportDavisZip(s.source, out);
    expect(res).toMatchObject({ mime: 'application/zip', fileName: 'clip-a-davis.zip' });
    const names = await unzipIndependently(out, join(dir, 'davis'));
    const stems = Array.from({ length: FRAMES }, (_, i) => String(i).padStart(5, '0'));
    expect(names.sort()).toEqual(
      [
        'meta.json',
        ...stems.map((t) => `Annotations/clip-a/${t}.png`),
        ...stems.map((t) => `JPEGImages/clip-a/${t}.jpg`),
      ].sort(),
    );
    const meta = await readJson<{ objects: Record<string, { id: number }> }>(join(dir, 'davis', 'meta.json'));
    expect(Object.entries(meta.objects).map(([k, o]) => [k, o.id])).toEqual([
      ['1', 1],
      ['2', 2],
      ['3', 3],
    ]);
    const voc = vocPalette();
    for (let t = 0; t < FRAMES; t++) {
      const path = join(dir, 'davis', 'Annotations', 'clip-a', `${stems[t]}.png`);
      const info = await sharp(path).metadata();
      expect(info).toMatchObject({ width: 320, height: 240, format: 'png', isPalette: true });
      // sharp expands the palette: map each colour back to its VOC index.
      const rgb = await sharp(path).removeAlpha().raw().toBuffer();
      const index = new Map<number, number>();
      for (let k = 0; k < 256; k++)
        index.set((voc[3 * k]! << 16) | (voc[3 * k + 1]! << 8) | voc[3 * k + 2]!, k);
      const labels = new Uint8Array(320 * 240);
      let offPalette = 0;
      for (let q = 0; q < labels.length; q++) {
        const k = index.get((rgb[3 * q]! << 16) | (rgb[3 * q + 1]! << 8) | rgb[3 * q + 2]!);
        if (k === undefined) offPalette++;
        labels[q] = k ?? 255;
      }
      expect(offPalette).toBe(0);
      for (const [k, o] of s.source.objects.entries()) {
        const got = labels.map((v) => (v === k + 1 ? 1 : 0));
        expect([...got]).toEqual([...objectMask(o.id, t)]);
      }
      expect(labels.every((v) => v <= 3)).toBe(true);
    }
    // The frames ride along unchanged.
    expect(await readFile(join(dir, 'davis', 'JPEGImages', 'clip-a', '00003.jpg'))).toEqual(
      await readFile(s.source.framePath(3)),
    );
  });
});

describe('COCO JSON', () => {
  it('has an image per frame, a category per object and RLE annotations that decode to the masks', async () => {
    const out = join(dir, 'coco.json');
    await exportCocoJson(s.source, out);
    const coco = await readJson<{
      images: Array<{ id: number; file_name: string; width: number; height: number }>;
      categories: Array<{ id: number; name: string }>;
      annotations: Array<{
        id: number;
        image_id: number;
        category_id: number;
        segmentation: CocoRle;
        area: number;
        bbox: number[];
        iscrowd: number;
      }>;
    }>(out);
    expect(coco.images).toHaveLength(FRAMES);
    expect(coco.images[2]).toMatchObject({ id: 3, file_name: '00002.jpg', width: 320, height: 240 });
    expect(coco.categories.map((c) => [c.id, c.name])).toEqual([
      [1, 'red disc'],
      [2, 'blue rectangle'],
      [3, 'green triangle'],
    ]);
    let expected = 0;
    for (let t = 0; t < FRAMES; t++) for (const o of s.scene.objects) if (!isEmpty(o.masks[t]!)) expected++;
    expect(coco.annotations).toHaveLength(expected);
    expect(new Set(coco.annotations.map((a) => a.id)).size).toBe(expected);
    for (const a of coco.annotations) {
      const truth = objectMask(a.category_id, a.image_id - 1);
      expect(a.segmentation.size).toEqual([240, 320]);
      expect(typeof a.segmentation.counts).toBe('string');
      expect([...decodeCocoRle(a.segmentation).mask]).toEqual([...truth]);
      expect(a.area).toBe(truth.reduce((n, v) => n + v, 0));
      expect(a.iscrowd).toBe(0);
      const [x, y, w, h] = a.bbox as [number, number, number, number];
      // The bbox is tight: every mask pixel inside, and each edge touched.
      let minX = 320;
      let minY = 240;
      let maxX = -1;
      let maxY = -1;
      truth.forEach((v, q) => {
        if (!v) return;
        minX = Math.min(minX, q % 320);
        maxX = Math.max(maxX, q % 320);
        minY = Math.min(minY, Math.floor(q / 320));
        maxY = Math.max(maxY, Math.floor(q / 320));
      });
      expect([x, y, w, h]).toEqual([minX, minY, maxX - minX + 1, maxY - minY + 1]);
    }
  });
});

describe('YouTube-VIS JSON', () => {
  it('has one video and one annotation per object with per-frame RLEs, null where absent', async () => {
    const out = join(dir, 'ytvis.json');
    // The triangle is gone from frames 2 and 3 (no mask at all, as a session without one has).
    const gone = (id: number, t: number) => id === 3 && (t === 2 || t === 3);
    const source = {
      ...s.source,
      masks: (t: number) =>
        new Map(s.scene.objects.filter((o) => !gone(o.id, t)).map((o) => [o.id, o.masks[t]!])),
    };
    await exportYtvisJson(source, out, { objectIds: [3, 1] });
    const doc = await readJson<{
      videos: Array<{ id: number; length: number; width: number; height: number; file_names: string[] }>;
      categories: Array<{ id: number }>;
      annotations: Array<{
        video_id: number;
        category_id: number;
        segmentations: Array<CocoRle | null>;
        areas: Array<number | null>;
        bboxes: Array<number[] | null>;
      }>;
    }>(out);
    expect(doc.videos).toEqual([expect.objectContaining({ id: 1, length: FRAMES, width: 320, height: 240 })]);
    expect(doc.videos[0]!.file_names[1]).toBe('clip-a/00001.jpg');
    expect(doc.categories.map((c) => c.id)).toEqual([3, 1]);
    expect(doc.annotations.map((a) => a.category_id)).toEqual([3, 1]);
    let absent = 0;
    for (const a of doc.annotations) {
      expect(a.video_id).toBe(1);
      expect(a.segmentations).toHaveLength(FRAMES);
      for (let t = 0; t < FRAMES; t++) {
        const truth = objectMask(a.category_id, t);
        const seg = a.segmentations[t];
        if (gone(a.category_id, t) || isEmpty(truth)) {
          absent++;
          expect([seg, a.areas[t], a.bboxes[t]]).toEqual([null, null, null]);
          continue;
        }
        expect([...decodeCocoRle(seg!).mask]).toEqual([...truth]);
        expect(a.areas[t]).toBe(truth.reduce((n, v) => n + v, 0));
      }
    }
    expect(absent).toBe(2);
  });
});

describe('YOLO-seg zip', () => {
  it('has images, labels and data.yaml, and its polygons fill back to the masks (IoU ≥ 0.9)', async () => {
    const out = join(dir, 'yolo.zip');
    await exportYoloSegZip(s.source, out);
    const root = join(dir, 'yolo');
    await unzipIndependently(out, root);
    const stems = Array.from({ length: FRAMES }, (_, i) => String(i).padStart(5, '0'));
    expect(await listFiles(root)).toEqual(
      ['data.yaml', ...stems.map((t) => `images/${t}.jpg`), ...stems.map((t) => `labels/${t}.txt`)].sort(),
    );
    const yaml = await readFile(join(root, 'data.yaml'), 'utf8');
    expect(yaml).toContain('nc: 3');
    expect(yaml).toContain('  0: "red disc"\n  1: "blue rectangle"\n  2: "green triangle"');
    for (let t = 0; t < FRAMES; t++) {
      const text = await readFile(join(root, 'labels', `${stems[t]}.txt`), 'utf8');
      const byClass = new Map<number, number[][]>();
      for (const line of text.split('\n').filter(Boolean)) {
        const [cls, ...coords] = line.split(' ').map(Number);
        expect(coords.length % 2).toBe(0);
        expect(coords.every((v) => v >= 0 && v <= 1)).toBe(true);
        const poly = coords.map((v, i) => (i % 2 === 0 ? v * 320 : v * 240));
        byClass.set(cls!, [...(byClass.get(cls!) ?? []), poly]);
      }
      for (const [k, o] of s.source.objects.entries()) {
        const truth = objectMask(o.id, t);
        if (isEmpty(truth)) {
          expect(byClass.has(k)).toBe(false);
          continue;
        }
        expect(maskIoU(fillPolygons(byClass.get(k) ?? [], 320, 240), truth)).toBeGreaterThanOrEqual(0.9);
      }
    }
  });
});

describe('cut-out PNG zip', () => {
  it('holds one RGBA sequence per object whose alpha is the mask and whose colour is the frame', async () => {
    const out = join(dir, 'cutouts.zip');
    await exportCutoutPngZip(s.source, out, { objectIds: [2] });
    const root = join(dir, 'cutouts');
    const names = await unzipIndependently(out, root);
    expect(names).toEqual(
      Array.from({ length: FRAMES }, (_, i) => `2-blue-rectangle/${String(i).padStart(5, '0')}.png`),
    );
    for (const t of [0, FRAMES - 1]) {
      const { data, info } = await sharp(join(root, names[t]!)).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([320, 240, 4]);
      const alpha = new Uint8Array(320 * 240);
      for (let q = 0; q < alpha.length; q++)
        alpha[q] = data[4 * q + 3] === 255 ? 1 : data[4 * q + 3] === 0 ? 0 : 9;
      expect([...alpha]).toEqual([...objectMask(2, t)]);
      // Inside the mask the colour is the JPEG frame's (the rectangle is painted (40, 80, 220)).
      const m = objectMask(2, t);
      const q = m.findIndex((v, i) => v === 1 && m[i + 3] === 1 && m[i + 3 * 320] === 1);
      expect(q).toBeGreaterThanOrEqual(0);
      expect(
        Math.abs(data[4 * q]! - 40) + Math.abs(data[4 * q + 1]! - 80) + Math.abs(data[4 * q + 2]! - 220),
      ).toBeLessThan(30);
    }
  });
});
