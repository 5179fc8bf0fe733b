/**
 * One-frame (image) sessions: the mask as a grayscale PNG (0 / 255) and a transparent cut-out PNG
 * cropped to the mask's bounding box. Both use the union of the selected objects on frame 0.
 */

import { writeFile } from 'node:fs/promises';
import { RotoError } from '@roto/shared';
import sharp from 'sharp';
import { maskStats } from './coco-json.ts';
import { cutoutRgba } from './compose.ts';
import { readFrameRgb } from './frames.ts';
import { reporter, throwIfAborted, writeAtomically } from './output.ts';
import { requireObjects, selectObjects, unionMask } from './selection.ts';
import type { ExportOptions, ExportResult, ExportSource } from './types.ts';

async function frameZeroUnion(
  source: ExportSource,
  options: ExportOptions,
  format: string,
): Promise<Uint8Array> {
  const objects = selectObjects(source, options.objectIds);
  requireObjects(objects, format);
  throwIfAborted(options.signal);
  return unionMask(await source.masks(0), objects, source.width * source.height);
}

/** The selected objects' mask on frame 0 as an 8-bit grayscale PNG: 255 on the objects, 0 elsewhere. */
export async function exportMaskPng(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  return writeAtomically(source, outPath, { mime: 'image/png', suffix: 'mask.png' }, options, async (tmp) => {
    const mask = await frameZeroUnion(source, options, 'mask PNG');
    const gray = new Uint8Array(mask.length);
    for (let p = 0; p < mask.length; p++) gray[p] = mask[p] ? 255 : 0;
    const png = await sharp(gray, { raw: { width: source.width, height: source.height, channels: 1 } })
      .toColourspace('b-w')
      .png({ compressionLevel: 9 })
      .toBuffer();
    await writeFile(tmp, png);
    reporter(options, 1)(1);
  });
}

/**
 * The frame cut out along the selected objects' mask (RGBA, transparent outside), cropped to the
 * mask's bounding box. INVALID_INPUT when the mask is empty (there is nothing to cut out).
 */
export async function exportCutoutPng(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  return writeAtomically(
    source,
    outPath,
    { mime: 'image/png', suffix: 'cutout.png' },
    options,
    async (tmp) => {
      const mask = await frameZeroUnion(source, options, 'cut-out PNG');
      const stats = maskStats(mask, source.width);
      if (!stats)
        throw new RotoError(
          'INVALID_INPUT',
          'The selected objects have no mask on this image; segment them first',
        );
      const rgba = cutoutRgba(await readFrameRgb(source, 0), mask);
      const [left, top, width, height] = stats.bbox;
      const png = await sharp(rgba, { raw: { width: source.width, height: source.height, channels: 4 } })
        .extract({ left, top, width, height })
        .png({ compressionLevel: 6 })
        .toBuffer();
      await writeFile(tmp, png);
      reporter(options, 1)(1);
    },
  );
}
