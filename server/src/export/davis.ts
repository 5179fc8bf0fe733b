/**
 * DAVIS-style PNG sequence: `Annotations/<sequence>/00000.png`… as 8-bit indexed PNGs with the VOC
 * colour map (0 background, k = the k-th selected object), the frames beside them as
 * `JPEGImages/<sequence>/00000.jpg`, and `meta.json` saying which object each index is.
 */

import { frameJpeg, frameStem } from './frame-files.ts';
import { readFrames } from './frames.ts';
import { reporter, slug, writeAtomically } from './output.ts';
import { encodeIndexedPng, vocPalette } from './png.ts';
import { labelMap, requireLabelRoom, selectObjects } from './selection.ts';
import type { ExportOptions, ExportResult, ExportSource } from './types.ts';
import { writeZip } from './zip-writer.ts';

/** DAVIS annotations zip (indexed PNGs with the VOC palette) with the frames and an object index. */
export async function exportDavisZip(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const objects = selectObjects(source, options.objectIds);
  requireLabelRoom(objects, 'DAVIS');
  return writeAtomically(source, outPath, { mime: 'application/zip', suffix: 'davis.zip' }, options, (tmp) =>
    writeZip(tmp, async (zip) => {
      const seq = slug(source.title);
      const palette = vocPalette();
      const { width, height } = source;
      const labels = new Uint8Array(width * height);
      const report = reporter(options, source.frameCount);
      const meta = {
        sequence: seq,
        width,
        height,
        fps: source.fps,
        frames: source.frameCount,
        objects: Object.fromEntries(
          objects.map((o, k) => [String(k + 1), { id: o.id, name: o.name, color: o.color }]),
        ),
      };
      await zip.add('meta.json', Buffer.from(`${JSON.stringify(meta, null, 2)}\n`), true);
      let done = 0;
      for await (const frame of readFrames(source, { pixels: false, signal: options.signal })) {
        const stem = frameStem(frame.index);
        labelMap(frame.masks, objects, width * height, labels);
        await zip.add(`Annotations/${seq}/${stem}.png`, encodeIndexedPng(labels, width, height, palette));
        await zip.add(`JPEGImages/${seq}/${stem}.jpg`, await frameJpeg(source, frame.index));
        report(++done);
      }
    }),
  );
}
