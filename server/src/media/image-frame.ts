import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { fitEven, framePath } from './decode.ts';
import { MediaError } from './errors.ts';
import { type ImageOptions, reencodeImage } from './image.ts';

/** Options for {@link writeImageFrame}. */
export interface ImageFrameOptions extends Pick<ImageOptions, 'maxInputPixels'> {
  /** Cap on the longer side, as for decoded video frames; default 1280. */
  maxLongSide?: number;
}

/** The single frame of an image session. */
export interface ImageFrame {
  framesDir: string;
  width: number;
  height: number;
  frameCount: 1;
}

/**
 * Turns an uploaded image into the one frame of an image session: re-encoded (metadata stripped,
 * EXIF orientation applied, pixel limit enforced, see {@link reencodeImage}), sized like decoded
 * video frames (longer side capped, even sides) and written as `framesDir/00000.jpg`, so the rest
 * of Roto treats it as a one-frame video. Transparent pixels are flattened onto white.
 */
export async function writeImageFrame(
  bytes: Uint8Array,
  framesDir: string,
  options: ImageFrameOptions = {},
): Promise<ImageFrame> {
  const clean = await reencodeImage(bytes, {
    format: 'png', // lossless in between: the frame is JPEG-encoded once, below
    maxLongSide: 1 << 14,
    ...(options.maxInputPixels !== undefined ? { maxInputPixels: options.maxInputPixels } : {}),
  });
  const size = fitEven(clean.width, clean.height, options.maxLongSide ?? 1280);
  const jpeg = await sharp(clean.data)
    .flatten({ background: '#ffffff' })
    .resize(size.width, size.height, { fit: 'fill' })
    .jpeg({ quality: 95 })
    .toBuffer();
  await mkdir(framesDir, { recursive: true });
  if ((await readdir(framesDir)).length > 0) {
    throw new MediaError('CONFLICT', 'OUTPUT_EXISTS', 'The frames folder already holds files.', {
      framesDir,
    });
  }
  try {
    await writeFile(framePath(framesDir, 0), jpeg);
  } catch (err) {
    await rm(framePath(framesDir, 0), { force: true });
    throw err;
  }
  return { framesDir, width: size.width, height: size.height, frameCount: 1 };
}
