import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, normalise, resizeForModel } from './preprocess.ts';
import { resizeBicubicPillow } from './resample.ts';

const FIXTURE = join(import.meta.dirname, '../../../../shared/fixtures/sam21-parity');

describe("Pillow's bicubic resize", () => {
  it('turns parity frame 0 into exactly the bytes the official loader fed the encoder', async () => {
    const frame = await decodeImage(readFileSync(join(FIXTURE, 'frames/00000.jpg')));
    expect([frame.width, frame.height]).toEqual([960, 540]);
    const resized = resizeForModel(frame, 1024);
    // Pillow's own output (reference/input_frame0.png), an independent computation.
    const ref = await sharp(readFileSync(join(FIXTURE, 'reference/input_frame0.png')))
      .raw()
      .toBuffer();
    expect(ref.length).toBe(resized.length);
    let different = 0;
    for (let i = 0; i < ref.length; i++) if (ref[i] !== resized[i]) different++;
    expect(different).toBe(0);
  });

  it('keeps a flat image flat when shrinking and enlarging', () => {
    const flat = new Uint8Array(50 * 30 * 3).fill(77);
    expect(resizeBicubicPillow(flat, 50, 30, 3, 17, 11).every((v) => v === 77)).toBe(true);
    expect(resizeBicubicPillow(flat, 50, 30, 3, 120, 90).every((v) => v === 77)).toBe(true);
  });

  it('averages fine detail away when shrinking (support scaled by the factor)', () => {
    // 1-pixel black/white columns, shrunk 4×: every output is mid-grey, not an aliased stripe.
    const w = 64;
    const src = new Uint8Array(w * 4);
    for (let i = 0; i < w * 4; i++) src[i] = i % 2 === 0 ? 0 : 255;
    const out = resizeBicubicPillow(src, w, 4, 1, 16, 4);
    for (const v of out.subarray(1, 15)) expect(Math.abs(v - 127.5)).toBeLessThan(2);
  });

  it('normalises like the official loader: (u8/255 as float32 − mean) / std in float32', () => {
    const rgb = new Uint8Array([0, 128, 255]);
    const out = normalise(rgb, 1);
    const f = Math.fround;
    expect(out[0]).toBe(f(f(f(0 / 255) - f(0.485)) / f(0.229)));
    expect(out[1]).toBe(f(f(f(128 / 255) - f(0.456)) / f(0.224)));
    expect(out[2]).toBe(f(f(f(255 / 255) - f(0.406)) / f(0.225)));
  });
});
