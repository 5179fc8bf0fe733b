/**
 * COCO instance segmentation JSON: one image per frame, one category per object, one annotation
 * per (frame, object) with a non-empty mask, its `segmentation` a compressed COCO RLE as
 * pycocotools writes it. Written as a stream: the header first, then annotations frame by frame.
 */
import { encodeCocoRle } from '@roto/shared';
import { frameStem } from './frame-files.ts';
import { readFrames } from './frames.ts';
import { reporter, writeAtomically } from './output.ts';
import { selectObjects } from './selection.ts';
import { TextSink } from './text-sink.ts';
import type { ExportObject, ExportOptions, ExportResult, ExportSource } from './types.ts';

/** Area and pycocotools-style bbox `[x, y, w, h]` of a 0/1 mask; null when it is empty. */
export function maskStats(
  mask: Uint8Array,
  width: number,
): { area: number; bbox: [number, number, number, number] } | null {
  let area = 0;
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = -1;
  let y1 = -1;
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 0) continue;
    area++;
    const y = Math.floor(p / width);
    const x = p - y * width;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    y1 = y;
  }
  return area === 0 ? null : { area, bbox: [x0, y0, x1 - x0 + 1, y1 - y0 + 1] };
}

/** The `info` block both JSON formats carry. */
export function datasetInfo(source: ExportSource): Record<string, unknown> {
  return {
    description: source.title ?? 'Roto export',
    version: '1.0',
    year: new Date().getUTCFullYear(),
    contributor: 'Roto',
    date_created: new Date().toISOString(),
  };
}

/** Categories: one per object, its id the object id. */
export function categoriesOf(objects: readonly ExportObject[]): Array<Record<string, unknown>> {
  return objects.map((o) => ({ id: o.id, name: o.name, supercategory: 'object', color: o.color }));
}

/** COCO JSON (`images`, `categories`, `annotations` with RLE segmentation) of the selected objects. */
export async function exportCocoJson(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const objects = selectObjects(source, options.objectIds);
  return writeAtomically(
    source,
    outPath,
    { mime: 'application/json', suffix: 'coco.json' },
    options,
    async (tmp) => {
      const out = await TextSink.create(tmp);
      try {
        const { width, height } = source;
        const head = JSON.stringify({ info: datasetInfo(source), licenses: [] });
        await out.write(`${head.slice(0, -1)},\n"images":[`);
        for (let i = 0; i < source.frameCount; i++) {
          const image = { id: i + 1, file_name: `${frameStem(i)}.jpg`, width, height, frame_index: i };
          await out.write(`${i ? ',' : ''}\n${JSON.stringify(image)}`);
        }
        await out.write(`\n],\n"categories":${JSON.stringify(categoriesOf(objects))},\n"annotations":[`);
        const report = reporter(options, source.frameCount);
        let nextId = 1;
        let done = 0;
        for await (const frame of readFrames(source, { pixels: false, signal: options.signal })) {
          for (const o of objects) {
            const mask = frame.masks.get(o.id);
            const stats = mask && maskStats(mask, width);
            if (!mask || !stats) continue;
            const annotation = {
              id: nextId,
              image_id: frame.index + 1,
              category_id: o.id,
              segmentation: encodeCocoRle(mask, width, height),
              area: stats.area,
              bbox: stats.bbox,
              iscrowd: 0,
            };
            await out.write(`${nextId > 1 ? ',' : ''}\n${JSON.stringify(annotation)}`);
            nextId++;
          }
          report(++done);
        }
        await out.write('\n]}\n');
      } catch (err) {
        await out.abandon();
        throw err;
      }
      await out.close();
    },
  );
}
