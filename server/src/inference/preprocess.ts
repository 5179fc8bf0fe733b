/**
 * Frame → encoder input: decode (JPEG/PNG via sharp), resize to the model's square input with
 * Pillow's bicubic (as the official loader does), normalise with ImageNet mean/std into float32 NCHW.
 */
import sharp from 'sharp';
import type { RgbImage } from './engine.ts';
import { InferenceError } from './errors.ts';
import { resizeBicubicPillow } from './resample.ts';

const MEAN = [0.485, 0.456, 0.406].map(Math.fround);
const STD = [0.229, 0.224, 0.225].map(Math.fround);

/**
 * u8 → normalised float32, per channel, exactly as the official loader: `u8 / 255` in float64,
 * stored as float32, then float32 subtract and divide.
 */
const NORMALISE_LUT: Float32Array[] = [0, 1, 2].map((c) => {
  const lut = new Float32Array(256);
  const mean = MEAN[c] as number;
  const std = STD[c] as number;
  for (let v = 0; v < 256; v++) lut[v] = Math.fround(Math.fround(Math.fround(v / 255) - mean) / std);
  return lut;
});

/** Largest image sharp may decode (pixels); larger inputs are refused before decoding. */
export const MAX_INPUT_PIXELS = 8192 * 8192;

/** Decodes JPEG/PNG/WebP bytes to 8-bit RGB (alpha dropped, no EXIF rotation, like Pillow's `convert("RGB")`). */
export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (err) {
    throw new InferenceError('UNSUPPORTED_MEDIA', `Cannot decode image: ${(err as Error).message}`);
  }
}

/** Resizes an RGB image to `size`×`size` with Pillow's bicubic (uint8, interleaved). */
export function resizeForModel(image: RgbImage, size: number): Uint8Array {
  return resizeBicubicPillow(image.data, image.width, image.height, 3, size, size);
}

/** Interleaved uint8 RGB (size×size) → normalised float32 NCHW [1,3,size,size]. */
export function normalise(
  rgb: Uint8Array,
  size: number,
  out = new Float32Array(3 * size * size),
): Float32Array {
  const plane = size * size;
  const [l0, l1, l2] = NORMALISE_LUT as [Float32Array, Float32Array, Float32Array];
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[i] = l0[rgb[p] as number] as number;
    out[plane + i] = l1[rgb[p + 1] as number] as number;
    out[2 * plane + i] = l2[rgb[p + 2] as number] as number;
  }
  return out;
}

/** The whole step: RGB frame → encoder input tensor data. */
export function preprocess(image: RgbImage, size: number): Float32Array {
  if (image.data.length !== image.width * image.height * 3) {
    throw new InferenceError(
      'INVALID_INPUT',
      `Image data has ${image.data.length} bytes, expected ${image.width}×${image.height}×3 = ${image.width * image.height * 3}`,
    );
  }
  return normalise(resizeForModel(image, size), size);
}
