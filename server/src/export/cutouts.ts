/**
 * Alpha cut-outs: per object a PNG sequence (RGBA, alpha = the mask) in a zip, and a VP9 WebM
 * with an alpha channel of the selected objects (one object selected gives that object's cut-out).
 */
import sharp from 'sharp';
import { fileInput } from '../media/ffmpeg-args.ts';
import { cutoutRgba } from './compose.ts';
import { fpsRational, rawInputArgs } from './ffmpeg-pipe.ts';
import { frameStem } from './frame-files.ts';
import { readFrames } from './frames.ts';
import { reporter, slug, writeAtomically } from './output.ts';
import { requireObjects, selectObjects, unionMask } from './selection.ts';
import type { ExportOptions, ExportResult, ExportSource } from './types.ts';
import { encoderTools, evenPadArgs, runVideoEncode } from './video-encode.ts';
import { writeZip } from './zip-writer.ts';

/** An RGBA PNG of raw pixels (sharp; compression 6 balances size and time for photos). */
export function encodeRgbaPng(rgba: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/**
 * Zip of RGBA PNG sequences, one folder per selected object (`<id>-<name>/00000.png`…), each frame
 * the full picture with alpha 255 on the object and 0 elsewhere (fully transparent where absent).
 */
export async function exportCutoutPngZip(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const objects = selectObjects(source, options.objectIds);
  requireObjects(objects, 'cut-out');
  return writeAtomically(
    source,
    outPath,
    { mime: 'application/zip', suffix: 'cutouts.zip' },
    options,
    (tmp) =>
      writeZip(tmp, async (zip) => {
        const { width, height } = source;
        const empty = new Uint8Array(width * height);
        const folders = objects.map((o) => `${o.id}-${slug(o.name, 'object')}`);
        const report = reporter(options, source.frameCount);
        let done = 0;
        for await (const frame of readFrames(source, { signal: options.signal })) {
          for (const [k, o] of objects.entries()) {
            const rgba = cutoutRgba(frame.rgb!, frame.masks.get(o.id) ?? empty);
            await zip.add(
              `${folders[k]}/${frameStem(frame.index)}.png`,
              await encodeRgbaPng(rgba, width, height),
            );
          }
          report(++done);
        }
      }),
  );
}

/** VP9 WebM with alpha (yuva420p) of the selected objects' union over the frames, no audio. */
export async function exportCutoutWebm(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const objects = selectObjects(source, options.objectIds);
  requireObjects(objects, 'cut-out video');
  return writeAtomically(
    source,
    outPath,
    { mime: 'video/webm', suffix: 'cutout.webm' },
    options,
    async (tmp) => {
      const tools = await encoderTools('libvpx-vp9', 'VP9 video with alpha');
      const { width, height } = source;
      const union = new Uint8Array(width * height);
      await runVideoEncode(
        source,
        tools.ffmpeg.path,
        {
          what: 'cut-out video',
          pixels: true,
          args: [
            ...rawInputArgs(width, height, source.fps, 'rgba'),
            ...evenPadArgs(width, height),
            // Constant quality, realtime speed; alt-ref frames are off because libvpx cannot use them with alpha.
            ...['-c:v', 'libvpx-vp9', '-pix_fmt', 'yuva420p', '-b:v', '0', '-crf', '32'],
            ...['-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-auto-alt-ref', '0'],
            ...['-r', fpsRational(source.fps), '-f', 'webm', '-y', fileInput(tmp)],
          ],
          paint: (frame) => cutoutRgba(frame.rgb!, unionMask(frame.masks, objects, width * height, union)),
        },
        options,
      );
    },
  );
}
