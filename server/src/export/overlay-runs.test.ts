import { encodeMask } from '@roto/shared';
import { describe, expect, it } from 'vitest';
import { outlinedLabels, outlinedLabelsBuffer } from './overlay-labels.ts';
import { RunOverlay } from './overlay-runs.ts';
import { blendYuvOverlay, yuv420Size, yuvPalette } from './yuv-overlay.ts';

const W = 64;
const H = 48;

/** A filled ellipse, touching the frame's edges when it is large enough. */
function ellipse(cx: number, cy: number, rx: number, ry: number): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) m[y * W + x] = 1;
  return m;
}

function frame(seed: number): Uint8Array {
  const yuv = new Uint8Array(yuv420Size(W, H));
  for (let i = 0; i < yuv.length; i++) yuv[i] = 16 + ((i * 37 + seed * 11) % 220);
  return yuv;
}

const objects = [
  { id: 4, name: 'a', color: '#ff0000' },
  { id: 7, name: 'b', color: '#00ff00' },
  { id: 9, name: 'c', color: '#0000ff' },
];
const palette = yuvPalette(new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]));

describe('RunOverlay', () => {
  it('paints the same picture from runs as the decoded-mask path, frame after frame', () => {
    const runs = new RunOverlay(W, H);
    const labels = outlinedLabelsBuffer(W, H);
    const frames = [
      // Overlapping objects, one over the frame's edge, a one-pixel sliver, a hole.
      new Map([
        [4, ellipse(20, 20, 15, 12)],
        [7, ellipse(30, 25, 12, 30)],
        [9, ellipse(63, 0, 10, 10)],
      ]),
      // Fewer objects than the frame before (what it painted must not stay).
      new Map([[7, ellipse(50, 40, 6, 5)]]),
      new Map([
        [4, Uint8Array.from({ length: W * H }, (_, i) => (i % W === 5 ? 1 : 0))],
        [9, Uint8Array.from({ length: W * H }, (_, i) => (i > 100 && i % 7 !== 0 ? 1 : 0))],
      ]),
      new Map<number, Uint8Array>(),
    ];
    frames.forEach((masks, i) => {
      const expected = frame(i);
      blendYuvOverlay(expected, outlinedLabels(masks, objects, W, H, labels), palette, W, H);
      const rm = new Map([...masks].map(([id, m]) => [id, encodeMask(m, W, H)]));
      const actual = frame(i);
      expect(
        runs.paint(
          rm,
          objects.map((o) => o.id),
        ),
      ).toBe(true);
      runs.blend(actual, palette);
      expect(Buffer.from(actual).equals(Buffer.from(expected)), `frame ${i}`).toBe(true);
    });
  });

  it('refuses masks of another size, painting nothing', () => {
    const runs = new RunOverlay(W, H);
    const small = encodeMask(new Uint8Array(32 * 24).fill(1), 32, 24);
    expect(runs.paint(new Map([[4, small]]), [4])).toBe(false);
    const yuv = frame(0);
    runs.blend(yuv, palette);
    expect(Buffer.from(yuv).equals(Buffer.from(frame(0)))).toBe(true);
  });
});
