/**
 * YouTube-VIS JSON: one video, one category per object, one annotation per object holding
 * per-frame lists (`segmentations` as COCO RLE, `areas`, `bboxes`; null where the object is absent).
 * Each object's RLEs are spilled to a file while the frames are read once, then assembled.
 */
import { basename, dirname, join } from 'node:path';
import { encodeCocoRle } from '@roto/shared';
import { categoriesOf, datasetInfo, maskStats } from './coco-json.ts';
import { frameStem } from './frame-files.ts';
import { readFrames } from './frames.ts';
import { reporter, slug, writeAtomically } from './output.ts';
import { selectObjects } from './selection.ts';
import { SpillFiles, TextSink } from './text-sink.ts';
import type { ExportOptions, ExportResult, ExportSource } from './types.ts';

type Bbox = [number, number, number, number];

/** YouTube-VIS JSON (`videos`, `categories`, per-object `annotations`) of the selected objects. */
export async function exportYtvisJson(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const objects = selectObjects(source, options.objectIds);
  return writeAtomically(
    source,
    outPath,
    { mime: 'application/json', suffix: 'ytvis.json' },
    options,
    async (tmp) => {
      const spill = new SpillFiles(join(dirname(tmp), `${basename(tmp)}.parts`));
      const out = await TextSink.create(tmp);
      try {
        const { width, height } = source;
        const areas = objects.map(() => [] as Array<number | null>);
        const bboxes = objects.map(() => [] as Array<Bbox | null>);
        const report = reporter(options, source.frameCount);
        let done = 0;
        for await (const frame of readFrames(source, { pixels: false, signal: options.signal })) {
          for (const [k, o] of objects.entries()) {
            const mask = frame.masks.get(o.id);
            const stats = mask && maskStats(mask, width);
            const sep = frame.index > 0 ? ',' : '';
            areas[k]!.push(stats ? stats.area : null);
            bboxes[k]!.push(stats ? stats.bbox : null);
            await spill.append(
              k,
              sep + (mask && stats ? JSON.stringify(encodeCocoRle(mask, width, height)) : 'null'),
            );
          }
          report(++done);
        }
        const seq = slug(source.title);
        const video = {
          id: 1,
          width,
          height,
          length: source.frameCount,
          fps: source.fps,
          file_names: Array.from({ length: source.frameCount }, (_, i) => `${seq}/${frameStem(i)}.jpg`),
        };
        const head = JSON.stringify({
          info: datasetInfo(source),
          licenses: [],
          videos: [video],
          categories: categoriesOf(objects),
        });
        await out.write(`${head.slice(0, -1)},\n"annotations":[`);
        for (const [k, o] of objects.entries()) {
          const fields = {
            id: k + 1,
            video_id: 1,
            category_id: o.id,
            iscrowd: 0,
            width,
            height,
            length: source.frameCount,
          };
          await out.write(`${k ? ',' : ''}\n${JSON.stringify(fields).slice(0, -1)},"segmentations":[`);
          if (source.frameCount > 0) await out.copyFrom(await spill.path(k));
          await out.write(`],"areas":${JSON.stringify(areas[k])},"bboxes":${JSON.stringify(bboxes[k])}}`);
        }
        await out.write('\n]}\n');
      } catch (err) {
        await out.abandon();
        await spill.dispose();
        throw err;
      }
      await out.close();
      await spill.dispose();
    },
  );
}
