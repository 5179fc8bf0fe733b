/**
 * Lets ffmpeg read a source's frames itself when they are a numbered JPEG sequence (as every
 * decoded session is: `frames/00000.jpg`…). ffmpeg decodes JPEG straight to YUV, which saves the
 * RGB round trip through sharp and the pipe.
 */
import { resolve } from 'node:path';
import type { ExportSource } from './types.ts';

/**
 * ffmpeg's image2 input pattern for the source's frames (e.g. `file:/…/frames/%05d.jpg`), or
 * undefined when the frame paths are not one zero-padded numbered sequence starting at 0.
 */
export function jpegSequencePattern(source: ExportSource): string | undefined {
  const first = /^(.*[\\/])(0+)\.(jpe?g)$/i.exec(resolve(source.framePath(0)));
  if (!first) return undefined;
  const [, dir, zeros, ext] = first as unknown as [string, string, string, string];
  const width = zeros.length;
  const nameOf = (i: number) => `${dir}${String(i).padStart(width, '0')}.${ext}`;
  // Spot-check the sequence: second, middle and last frames must follow the same naming.
  const probes = [1, Math.floor(source.frameCount / 2), source.frameCount - 1].filter(
    (i) => i > 0 && i < source.frameCount,
  );
  if (probes.some((i) => resolve(source.framePath(i)) !== nameOf(i))) return undefined;
  if (String(source.frameCount - 1).length > width) return undefined;
  // `%` is the pattern's escape character; the folder's own must be doubled.
  return `file:${dir.replaceAll('%', '%%')}%0${width}d.${ext}`;
}
