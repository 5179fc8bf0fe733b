import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MediaError } from '../src/media/errors.ts';
import { decodeBase64Payload, reencodeImage } from '../src/media/image.ts';
import { writeImageFrame } from '../src/media/image-frame.ts';

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<MediaError> {
  const err = await (typeof promise === 'function' ? Promise.resolve().then(promise) : promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid PNG header claiming `width`×`height` RGB, with a few bytes of (far too little) pixel data. */
function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 40×20 JPEG, left half red and right half blue, with EXIF orientation 6 (shown rotated 90° clockwise). */
async function orientedJpeg(): Promise<Buffer> {
  const raw = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y++)
    for (let x = 0; x < 40; x++) raw.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
  return sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: 'secret location' } } })
    .toBuffer();
}

describe('reencodeImage', () => {
  it('applies EXIF orientation and strips all metadata', async () => {
    const input = await orientedJpeg();
    expect((await sharp(input).metadata()).orientation).toBe(6);
    const out = await reencodeImage(input);
    expect([out.format, out.mime, out.width, out.height, out.source]).toEqual([
      'jpeg',
      'image/jpeg',
      20,
      40,
      'jpeg',
    ]);
    const meta = await sharp(out.data).metadata();
    expect([meta.exif, meta.orientation, meta.icc, meta.xmp]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(out.data.includes(Buffer.from('secret location'))).toBe(false);
    // Rotated clockwise: the red left half is now on top.
    const { data } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true });
    const top = [data[0]!, data[1]!, data[2]!];
    const bottom = [data.at(-3)!, data.at(-2)!, data.at(-1)!];
    expect(top[0]).toBeGreaterThan(200);
    expect(bottom[2]).toBeGreaterThan(200);
  });

  it('caps the long side without enlarging small images', async () => {
    const big = await sharp({ create: { width: 300, height: 120, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    expect(await reencodeImage(big, { maxLongSide: 100 })).toMatchObject({ width: 100, height: 40 });
    expect(await reencodeImage(big, { maxLongSide: 1000 })).toMatchObject({ width: 300, height: 120 });
  });

  it('keeps transparency as PNG and honours an explicit WebP output', async () => {
    const rgba = await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .webp({ lossless: true })
      .toBuffer();
    const out = await reencodeImage(rgba);
    expect([out.format, out.source]).toEqual(['png', 'webp']);
    expect((await sharp(out.data).metadata()).hasAlpha).toBe(true);
    expect((await reencodeImage(rgba, { format: 'webp' })).format).toBe('webp');
  });

  it('refuses an image bomb (header says 100000×100000) before decoding it', async () => {
    const err = await failure(reencodeImage(pngBomb(100_000, 100_000)));
    expect(err).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', reason: 'IMAGE_TOO_LARGE' });
    expect(err.message).toContain('100000×100000');
    expect(err.message).toContain('limit is 50 megapixels');
  });

  it('applies a lower pixel limit when given one', async () => {
    const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const err = await failure(reencodeImage(png, { maxInputPixels: 10_000 }));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a corrupt image with INVALID_INPUT', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const err = await failure(reencodeImage(png.subarray(0, 60)));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', reason: 'UNREADABLE' });
  });

  it('refuses non-images, saying what they are', async () => {
    const err = await failure(reencodeImage(Buffer.from('%PDF-1.4\n1 0 obj\n')));
    expect(err.code).toBe('UNSUPPORTED_MEDIA');
    expect(err.message).toContain('PDF');
    const video = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom')]);
    expect((await failure(reencodeImage(video))).message).toContain('MP4 video, not an image');
  });
});

describe('decodeBase64Payload', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

  it('decodes a data URL and reports its declared type', () => {
    const out = decodeBase64Payload(`data:image/png;base64,${png.toString('base64')}`, 1000);
    expect(out.declaredType).toBe('image/png');
    expect(out.bytes.equals(png)).toBe(true);
  });

  it('decodes bare base64, URL-safe, unpadded and line-wrapped input', () => {
    const bytes = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) & 0xff));
    const std = bytes.toString('base64');
    expect(decodeBase64Payload(std, 1000).bytes.equals(bytes)).toBe(true);
    expect(decodeBase64Payload(bytes.toString('base64url'), 1000).bytes.equals(bytes)).toBe(true);
    const wrapped = std.match(/.{1,76}/g)!.join('\r\n');
    const out = decodeBase64Payload(wrapped, 1000);
    expect(out.bytes.equals(bytes)).toBe(true);
    expect(out.declaredType).toBeNull();
  });

  it('refuses more than the cap with PAYLOAD_TOO_LARGE, before decoding', async () => {
    const err = await failure(() => decodeBase64Payload(Buffer.alloc(3000).toString('base64'), 2000));
    expect(err).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(err.message).toContain('limit is 2,000 bytes');
    const huge = await failure(() => decodeBase64Payload('A'.repeat(10_000_000), 1000));
    expect(huge.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses malformed input with INVALID_INPUT and a reason', async () => {
    for (const [input, phrase] of [
      ['data:image/png,plain-not-base64', ';base64'],
      ['', 'empty'],
      ['abc$def', 'outside the base64 alphabet'],
      ['abcde', 'length'],
      ['data:image/png;base64,', 'empty'],
    ] as const) {
      const err = await failure(() => decodeBase64Payload(input, 1000));
      expect(err).toMatchObject({ code: 'INVALID_INPUT', reason: 'BAD_BASE64' });
      expect(err.message).toContain(phrase);
    }
  });

  it('round-trips a real image: data URL → bytes → re-encoded image', async () => {
    const jpeg = await sharp({ create: { width: 30, height: 10, channels: 3, background: '#0f0' } })
      .jpeg()
      .toBuffer();
    const { bytes } = decodeBase64Payload(`data:image/jpeg;base64,${jpeg.toString('base64')}`, 100_000);
    expect(await reencodeImage(bytes)).toMatchObject({ width: 30, height: 10, format: 'jpeg' });
  });
});

describe('writeImageFrame', () => {
  it('writes an image as frame 00000.jpg of a one-frame session, upright, capped and even-sized', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roto-image-frame-'));
    try {
      const big = await sharp({ create: { width: 2001, height: 1001, channels: 3, background: '#123456' } })
        .png()
        .toBuffer();
      const frame = await writeImageFrame(big, join(dir, 'frames'));
      expect(frame).toMatchObject({ width: 1280, height: 640, frameCount: 1 });
      expect(await readdir(join(dir, 'frames'))).toEqual(['00000.jpg']);
      const meta = await sharp(join(dir, 'frames', '00000.jpg')).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 640]);

      const rotated = await writeImageFrame(await orientedJpeg(), join(dir, 'frames-rot'));
      expect([rotated.width, rotated.height]).toEqual([20, 40]);

      const err = await failure(writeImageFrame(pngBomb(100_000, 100_000), join(dir, 'frames-bomb')));
      expect(err.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await readdir(join(dir, 'frames-bomb')).catch(() => [])).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
