/** Frame images as files inside dataset archives. */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { ExportSource } from './types.ts';

/** Zero-padded frame file stem, `00042` (DAVIS, YouTube-VOS and our frame store all use five digits). */
export function frameStem(i: number): string {
  return String(i).padStart(5, '0');
}

/** Frame `i` as JPEG bytes: the stored file itself when it is a JPEG, else re-encoded (quality 95). */
export async function frameJpeg(source: ExportSource, i: number): Promise<Buffer> {
  const path = source.framePath(i);
  if (/\.jpe?g$/i.test(path)) return readFile(path);
  return sharp(path).removeAlpha().jpeg({ quality: 95 }).toBuffer();
}
