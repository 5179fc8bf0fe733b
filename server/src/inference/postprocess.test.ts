import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseNpy } from './npy.ts';
import { maskForMemory, upsampleBilinear, upsampleToMask } from './postprocess.ts';

const REF = join(import.meta.dirname, '../../../../shared/fixtures/sam21-parity/reference');

describe('bilinear upsample (PyTorch align_corners=False)', () => {
  it('gives PyTorch values on a 2×2 → 4×4 example', () => {
    const out = upsampleBilinear(new Float32Array([1, 2, 3, 4]), 2, 2, 4, 4);
    expect(Array.from(out)).toEqual([
      1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4,
    ]);
  });

  it('clamps at the borders and keeps a constant map constant', () => {
    const out = upsampleBilinear(new Float32Array(9).fill(0.3), 3, 3, 7, 5);
    expect(out.every((v) => v === Math.fround(0.3))).toBe(true);
  });

  it('reproduces the official predictor masks from its logits, pixel for pixel, on all 20 frames', async () => {
    for (let f = 0; f < 20; f++) {
      const name = String(f).padStart(5, '0');
      const logits = parseNpy(readFileSync(join(REF, 'logits/1', `${name}.npy`))).data as Float32Array;
      const mask = upsampleToMask(logits, 256, 256, 960, 540);
      const ref = await sharp(readFileSync(join(REF, 'masks/1', `${name}.png`)))
        .extractChannel(0)
        .raw()
        .toBuffer();
      let wrong = 0;
      for (let i = 0; i < mask.length; i++) if (mask[i] !== (ref[i]! > 127 ? 1 : 0)) wrong++;
      expect(wrong, `frame ${name}`).toBe(0);
    }
  });

  it('builds the memory-encoder mask input: ±10 when binarised, 20·sigmoid − 10 otherwise', () => {
    const low = new Float32Array(256 * 256).fill(-1);
    low[0] = 3;
    const bin = maskForMemory(low, 256, 1024, true);
    expect(bin[0]).toBe(10);
    expect(bin[1024 * 1024 - 1]).toBe(-10);
    const soft = maskForMemory(low, 256, 1024, false);
    expect(soft[1024 * 1024 - 1]).toBeCloseTo(20 / (1 + Math.E) - 10, 5);
  });
});

describe('upsampleToMask fast path', () => {
  it('equals thresholding the full upsample on smooth masks (span shortcut)', () => {
    for (const [ow, oh] of [
      [960, 540],
      [1024, 1024],
      [333, 777],
    ] as const) {
      const src = new Float32Array(256 * 256).map(
        (_, i) => 40 - Math.hypot((i % 256) - 100, Math.floor(i / 256) - 120),
      );
      src[256 * 120 + 60] = 1e-35; // a tiny positive value on the boundary
      const full = upsampleBilinear(src, 256, 256, ow, oh);
      const mask = upsampleToMask(src, 256, 256, ow, oh);
      let wrong = 0;
      for (let i = 0; i < mask.length; i++) if (mask[i] !== ((full[i] as number) > 0 ? 1 : 0)) wrong++;
      expect(wrong, `${ow}×${oh}`).toBe(0);
      expect(mask.some((v) => v === 1) && mask.some((v) => v === 0)).toBe(true);
    }
  });

  it('equals thresholding the full upsample on noisy logits (boundaries everywhere)', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const [w, h, ow, oh] of [
      [256, 256, 960, 540],
      [256, 256, 1024, 1024],
      [256, 256, 301, 97],
      [16, 9, 640, 360],
    ] as const) {
      // Smooth blobs plus fine noise, with some values exactly 0 and some tiny.
      const src = new Float32Array(w * h).map((_, i) => Math.sin(i * 0.37) * 0.5 + (rnd() - 0.5) * 0.2);
      src[3] = 0;
      src[5] = 1e-40;
      const full = upsampleBilinear(src, w, h, ow, oh);
      const mask = upsampleToMask(src, w, h, ow, oh);
      let wrong = 0;
      for (let i = 0; i < mask.length; i++) if (mask[i] !== ((full[i] as number) > 0 ? 1 : 0)) wrong++;
      expect(wrong, `${w}×${h} → ${ow}×${oh}`).toBe(0);
    }
  });
});
