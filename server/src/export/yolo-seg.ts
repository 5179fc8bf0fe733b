/**
 * YOLO segmentation dataset (Ultralytics layout): `images/00000.jpg`, `labels/00000.txt` with one
 * line per connected component, `class x1 y1 x2 y2 …` normalised to 0..1 (outer boundary traced
 * and simplified at about one pixel, holes ignored), and `data.yaml` naming the classes.
 */
import { maskPolygons, type Polygon } from './contours.ts';
import { frameJpeg, frameStem } from './frame-files.ts';
import { readFrames } from './frames.ts';
import { reporter, writeAtomically } from './output.ts';
import { requireObjects, selectObjects } from './selection.ts';
import type { ExportObject, ExportOptions, ExportResult, ExportSource, FrameMasks } from './types.ts';
import { writeZip } from './zip-writer.ts';

/** Douglas–Peucker tolerance of YOLO polygons, in pixels. */
export const YOLO_EPSILON_PX = 1;

/** One label line: the class index then the polygon's vertices normalised by the frame size. */
function labelLine(cls: number, poly: Polygon, width: number, height: number): string {
  const parts: string[] = [String(cls)];
  for (let i = 0; i < poly.length; i += 2) {
    parts.push((poly[i]! / width).toFixed(6), (poly[i + 1]! / height).toFixed(6));
  }
  return parts.join(' ');
}

/** The label file of one frame: class k is the k-th selected object. */
export function yoloLabels(
  masks: FrameMasks,
  objects: readonly ExportObject[],
  width: number,
  height: number,
): string {
  const lines: string[] = [];
  objects.forEach((o, k) => {
    const mask = masks.get(o.id);
    if (!mask) return;
    for (const poly of maskPolygons(mask, width, height, YOLO_EPSILON_PX))
      lines.push(labelLine(k, poly, width, height));
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** `data.yaml` for Ultralytics: the dataset root, train/val folders and the class names. */
export function yoloDataYaml(objects: readonly ExportObject[]): string {
  // JSON strings are valid YAML double-quoted scalars, so any object name is safe.
  const names = objects.map((o, k) => `  ${k}: ${JSON.stringify(o.name)}`).join('\n');
  return `path: .\ntrain: images\nval: images\nnc: ${objects.length}\nnames:\n${names}\n`;
}

/** YOLO-seg zip (images/, labels/, data.yaml) of the selected objects. */
export async function exportYoloSegZip(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const objects = selectObjects(source, options.objectIds);
  requireObjects(objects, 'YOLO');
  return writeAtomically(
    source,
    outPath,
    { mime: 'application/zip', suffix: 'yolo-seg.zip' },
    options,
    (tmp) =>
      writeZip(tmp, async (zip) => {
        const { width, height } = source;
        const report = reporter(options, source.frameCount);
        await zip.add('data.yaml', Buffer.from(yoloDataYaml(objects)), true);
        let done = 0;
        for await (const frame of readFrames(source, { pixels: false, signal: options.signal })) {
          const stem = frameStem(frame.index);
          await zip.add(`images/${stem}.jpg`, await frameJpeg(source, frame.index));
          await zip.add(
            `labels/${stem}.txt`,
            Buffer.from(yoloLabels(frame.masks, objects, width, height)),
            true,
          );
          report(++done);
        }
      }),
  );
}
