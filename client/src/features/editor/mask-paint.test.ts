import { encodeMask } from '@roto/shared/masks';
import { describe, expect, it } from 'vitest';
import { paintMasks, parseHexColor, type RgbaTarget } from './mask-paint.ts';
import { readMaskRuns } from './mask-runs.ts';

/** A w×h mask with a filled rectangle [x0, x1) × [y0, y1). */
function rect(w: number, h: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) m.fill(1, y * w + x0, y * w + x1);
  return encodeMask(m, w, h);
}

function target(w: number, h: number): RgbaTarget {
  return { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
}

function pixel(t: RgbaTarget, x: number, y: number): number[] {
  const i = (y * t.width + x) * 4;
  return Array.from(t.data.subarray(i, i + 4));
}

describe('mask colouring from RM bytes', () => {
  it('paints exactly the mask pixels in the object colour, opaque, and nothing else', () => {
    const t = target(40, 30);
    const n = paintMasks(t, [{ runs: readMaskRuns(rect(40, 30, 10, 5, 20, 15)), color: '#42d4f4' }]);
    expect(n).toBe(100);
    expect(pixel(t, 10, 5)).toEqual([0x42, 0xd4, 0xf4, 255]);
    expect(pixel(t, 19, 14)).toEqual([0x42, 0xd4, 0xf4, 255]);
    expect(pixel(t, 9, 5)).toEqual([0, 0, 0, 0]);
    expect(pixel(t, 20, 14)).toEqual([0, 0, 0, 0]);
    let coloured = 0;
    for (let i = 3; i < t.data.length; i += 4) if (t.data[i] !== 0) coloured++;
    expect(coloured).toBe(100);
  });

  it('paints a later object over an earlier one where they overlap, and clears the previous frame', () => {
    const t = target(20, 20);
    paintMasks(t, [{ runs: readMaskRuns(rect(20, 20, 0, 0, 20, 20)), color: '#ffffff' }]);
    paintMasks(t, [
      { runs: readMaskRuns(rect(20, 20, 0, 0, 10, 10)), color: '#e6194b' },
      { runs: readMaskRuns(rect(20, 20, 5, 5, 15, 15)), color: '#3cb44b' },
    ]);
    expect(pixel(t, 2, 2)).toEqual([...parseHexColor('#e6194b'), 255]);
    expect(pixel(t, 7, 7)).toEqual([...parseHexColor('#3cb44b'), 255]);
    expect(pixel(t, 18, 18)).toEqual([0, 0, 0, 0]);
  });

  it('outline mode paints the border ring only', () => {
    const t = target(30, 30);
    const n = paintMasks(
      t,
      [{ runs: readMaskRuns(rect(30, 30, 5, 5, 15, 15)), color: '#000080' }],
      'outline',
    );
    expect(n).toBe(10 * 4 - 4);
    expect(pixel(t, 5, 9)[3]).toBe(255); // left edge
    expect(pixel(t, 10, 10)[3]).toBe(0); // interior
    expect(pixel(t, 14, 14)[3]).toBe(255); // corner
  });

  it('skips a mask of another frame size instead of smearing it', () => {
    const t = target(10, 10);
    expect(paintMasks(t, [{ runs: readMaskRuns(rect(20, 20, 0, 0, 5, 5)), color: '#ff0000' }])).toBe(0);
  });

  it('reads the same foreground as the shared decoder and rejects corrupt bytes', () => {
    const bytes = rect(64, 48, 3, 7, 50, 40);
    const runs = readMaskRuns(bytes);
    expect(runs.area).toBe(47 * 33);
    expect(runs.runs.length / 2).toBe(33);
    expect(() => readMaskRuns(bytes.subarray(0, bytes.length - 1))).toThrow(/malformed|cover|truncated/);
    const trailing = new Uint8Array(bytes.length + 1);
    trailing.set(bytes);
    expect(() => readMaskRuns(trailing)).toThrow(/unexpected bytes/);
  });
});
