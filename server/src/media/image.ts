import sharp from 'sharp';
import { MediaError } from './errors.ts';
import { type ImageContainer, sniffMedia } from './sniff.ts';

/** Options for {@link reencodeImage}. */
export interface ImageOptions {
  /** Refuse images with more pixels than this (checked from the header, before decoding); default 50 MP. */
  maxInputPixels?: number;
  /** Cap on the longer side of the output; default 4096. Images are never enlarged. */
  maxLongSide?: number;
  /** Output format; `auto` (default) keeps transparency as PNG and writes everything else as JPEG. */
  format?: 'auto' | 'jpeg' | 'png' | 'webp';
  /** JPEG/WebP quality; default 90. */
  quality?: number;
}

/** A re-encoded image: fresh pixels, no metadata, upright. */
export interface ReencodedImage {
  data: Buffer;
  format: 'jpeg' | 'png' | 'webp';
  mime: string;
  width: number;
  height: number;
  /** The container the input really was (sniffed from its bytes). */
  source: ImageContainer;
}

const ACCEPTED: ReadonlySet<ImageContainer> = new Set(['jpeg', 'png', 'webp', 'gif']);
const DEFAULT_MAX_PIXELS = 50_000_000;

function tooLarge(width: number, height: number, maxPixels: number): MediaError {
  const mp = (n: number) => (n / 1e6).toLocaleString('en', { maximumFractionDigits: 1 });
  return new MediaError(
    'PAYLOAD_TOO_LARGE',
    'IMAGE_TOO_LARGE',
    `The image is ${width}×${height} (${mp(width * height)} megapixels); the limit is ${mp(maxPixels)} megapixels.`,
    { width, height, maxPixels },
  );
}

/**
 * Re-encodes an uploaded image (JPEG, PNG, WebP, or a GIF's first frame) through sharp so that
 * what is stored is fresh pixels only: metadata stripped (EXIF, ICC, XMP; also any polyglot
 * payload), EXIF orientation applied, the longer side capped. The pixel limit is checked from the
 * header before any decoding and passed to sharp as `limitInputPixels` too, so a decompression
 * bomb is refused without allocating it. Errors: `UNSUPPORTED_MEDIA` (not such an image),
 * `PAYLOAD_TOO_LARGE`/`IMAGE_TOO_LARGE`, `INVALID_INPUT`/`UNREADABLE` (corrupt data).
 */
export async function reencodeImage(bytes: Uint8Array, options: ImageOptions = {}): Promise<ReencodedImage> {
  const sniffed = sniffMedia(bytes);
  if (sniffed.kind !== 'image' || !ACCEPTED.has(sniffed.container)) {
    throw new MediaError(
      'UNSUPPORTED_MEDIA',
      'UNRECOGNISED_TYPE',
      `This is a ${sniffed.container.toUpperCase()} video, not an image.`,
      { detected: sniffed.container },
    );
  }
  const maxPixels = options.maxInputPixels ?? DEFAULT_MAX_PIXELS;
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const open = () => sharp(input, { limitInputPixels: maxPixels, failOn: 'error', pages: 1 });

  let meta: sharp.Metadata;
  try {
    // Reading the header decodes no pixels, so it runs unlimited to learn the claimed size and
    // say it in the refusal; the decode below runs under the limit.
    meta = await sharp(input, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (cause) {
    throw unreadable(cause);
  }
  if (!meta.width || !meta.height) {
    throw new MediaError('INVALID_INPUT', 'UNREADABLE', 'The image has no size in its header.');
  }
  // For multi-page GIF/WebP, metadata.height is the whole stack; one page is what gets decoded.
  const pageHeight = meta.pageHeight ?? meta.height;
  if (meta.width * pageHeight > maxPixels) throw tooLarge(meta.width, pageHeight, maxPixels);

  const format =
    options.format === undefined || options.format === 'auto'
      ? meta.hasAlpha
        ? 'png'
        : 'jpeg'
      : options.format;
  const cap = options.maxLongSide ?? 4096;
  const quality = options.quality ?? 90;
  try {
    let pipeline = open()
      .rotate() // applies EXIF orientation; sharp drops all metadata on output unless asked to keep it
      .resize({ width: cap, height: cap, fit: 'inside', withoutEnlargement: true });
    pipeline =
      format === 'jpeg'
        ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality, mozjpeg: false })
        : format === 'webp'
          ? pipeline.webp({ quality })
          : pipeline.png();
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return {
      data,
      format,
      mime: `image/${format}`,
      width: info.width,
      height: info.height,
      source: sniffed.container,
    };
  } catch (cause) {
    throw unreadable(cause);
  }
}

function unreadable(cause: unknown): MediaError {
  const text = cause instanceof Error ? cause.message : String(cause);
  if (/pixel limit/i.test(text)) {
    return new MediaError(
      'PAYLOAD_TOO_LARGE',
      'IMAGE_TOO_LARGE',
      'The image has more pixels than Roto accepts.',
      undefined,
      {
        cause,
      },
    );
  }
  return new MediaError(
    'INVALID_INPUT',
    'UNREADABLE',
    `The image could not be read: ${text.split('\n')[0]?.slice(0, 200)}`,
    undefined,
    { cause },
  );
}

/** Result of {@link decodeBase64Payload}. */
export interface DecodedPayload {
  bytes: Buffer;
  /** The media type a data URL declared (`image/png`), or null for bare base64. Not trusted: sniff the bytes. */
  declaredType: string | null;
}

const DATA_URL = /^data:([^,;]*)((?:;[^,;=]+=[^,;]*)*)(;base64)?,/i;

/**
 * Decodes a `data:<type>;base64,<data>` URL or a bare base64 string (standard or URL-safe
 * alphabet, padding optional, whitespace ignored) into bytes, refusing more than `maxBytes`
 * before decoding anything. Errors: `INVALID_INPUT`/`BAD_BASE64`, `PAYLOAD_TOO_LARGE`.
 */
export function decodeBase64Payload(input: string, maxBytes: number): DecodedPayload {
  const bad = (why: string) =>
    new MediaError('INVALID_INPUT', 'BAD_BASE64', `The image data is not valid base64: ${why}.`);
  const tooBig = (approx: number) =>
    new MediaError(
      'PAYLOAD_TOO_LARGE',
      'IMAGE_TOO_LARGE',
      `The image data is about ${approx.toLocaleString('en')} bytes; the limit is ${maxBytes.toLocaleString('en')} bytes.`,
      { bytes: approx, maxBytes },
    );
  // Whitespace may double the length at most (line breaks every 76 characters count far less);
  // anything longer is refused before any copying.
  if (input.length > Math.ceil(maxBytes / 3) * 8 + 1024) throw tooBig(Math.floor((input.length * 3) / 4));

  let declaredType: string | null = null;
  let body = input;
  const m = DATA_URL.exec(input.slice(0, 512));
  if (m) {
    if (!m[3]) throw bad('the data URL is not base64-encoded (";base64" is missing)');
    declaredType = (m[1] ?? '').trim().toLowerCase() || null;
    body = input.slice(m[0].length);
  } else if (/^data:/i.test(input)) {
    throw bad('the data URL is malformed');
  }
  body = body.replace(/\s+/g, '');
  if (body.length === 0) throw bad('it is empty');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(body)) throw bad('it contains characters outside the base64 alphabet');
  const unpadded = body.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) throw bad('its length is impossible for base64');
  const size = Math.floor((unpadded.length * 3) / 4);
  if (size > maxBytes) throw tooBig(size);
  const bytes = Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return { bytes, declaredType };
}
