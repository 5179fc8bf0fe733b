import { type ErrorCode, RotoError } from '../contract/errors.ts';

/** Which codec rejected the input. */
export type MaskFormat = 'binary-rle' | 'coco-rle' | 'mask';

/**
 * A mask that cannot be encoded or decoded: corrupt or truncated bytes, runs that do not add up to
 * width × height, a mask buffer of the wrong length. Code INVALID_INPUT, or PAYLOAD_TOO_LARGE when
 * the declared size exceeds the decoder's pixel budget.
 */
export class MaskFormatError extends RotoError {
  /** The codec that rejected the input. */
  readonly format: MaskFormat;

  constructor(format: MaskFormat, message: string, code: ErrorCode = 'INVALID_INPUT') {
    super(code, `${format}: ${message}`, { format });
    this.format = format;
  }
}

/**
 * The largest mask a decoder allocates by default: 8192 × 8192 pixels. A header is a few bytes and
 * may claim any size, so decoders refuse to allocate past this unless the caller raises it.
 */
export const MAX_MASK_PIXELS = 8192 * 8192;

/** Throws unless `mask.length === width × height` with non-negative integer dimensions. */
export function checkMaskShape(format: MaskFormat, mask: Uint8Array, width: number, height: number): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 0 || height < 0) {
    throw new MaskFormatError(
      format,
      `width and height must be non-negative integers, got ${width}×${height}`,
    );
  }
  if (mask.length !== width * height) {
    throw new MaskFormatError(
      format,
      `mask has ${mask.length} bytes but ${width}×${height} needs ${width * height}`,
    );
  }
}
