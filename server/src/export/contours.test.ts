import { describe, expect, it } from 'vitest';
import { fillPolygons } from '../../test/support/polygon-fill.ts';
import { connectedComponents, maskPolygons, simplifyClosed, traceOuterBoundary } from './contours.ts';

function maskFrom(rows: string[]): { mask: Uint8Array; width: number; height: number } {
  const height = rows.length;
  const width = rows[0]!.length;
  const mask = new Uint8Array(width * height);
  rows.forEach((r, y) => {
    for (let x = 0; x < width; x++) mask[y * width + x] = r[x] === '#' ? 1 : 0;
  });
  return { mask, width, height };
}

function exactPolygons(mask: Uint8Array, width: number, height: number): number[][] {
  const { labels, starts } = connectedComponents(mask, width, height);
  return starts.map((s, k) => traceOuterBoundary(labels, width, height, k + 1, s));
}

describe('contour tracing', () => {
  it('traces a single pixel as its four corners', () => {
    const { mask, width, height } = maskFrom(['...', '.#.', '...']);
    expect(exactPolygons(mask, width, height)).toEqual([[1, 1, 2, 1, 2, 2, 1, 2]]);
  });

  it('gives back exactly the pixels of hole-free components, diagonal touches kept apart', () => {
    const { mask, width, height } = maskFrom([
      '..........',
      '.###...#..',
      '.#.#..###.',
      '.####..#..',
      '....#.....',
      '.....#....',
      '..##..##..',
      '..##..##..',
    ]);
    const polys = exactPolygons(mask, width, height);
    // The lone pixel at (5,5) touches (4,4) only at a corner: a component of its own.
    expect(polys).toHaveLength(5);
    const filled = fillPolygons(polys, width, height);
    // The ring's hole at (2,2) is filled (holes are ignored); everything else matches.
    const expected = mask.slice();
    expected[2 * width + 2] = 1;
    expect([...filled]).toEqual([...expected]);
  });

  it('matches random blobs pixel for pixel before simplification', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let t = 0; t < 20; t++) {
      const width = 24;
      const height = 18;
      const mask = new Uint8Array(width * height);
      for (let p = 0; p < mask.length; p++) mask[p] = rnd() < 0.45 ? 1 : 0;
      const { labels, starts } = connectedComponents(mask, width, height);
      starts.forEach((s, k) => {
        const filled = fillPolygons([traceOuterBoundary(labels, width, height, k + 1, s)], width, height);
        // Every pixel of the component is inside its outer boundary.
        for (let p = 0; p < mask.length; p++) if (labels[p] === k + 1) expect(filled[p]).toBe(1);
      });
    }
  });

  it('simplifies a staircase disc to far fewer vertices at IoU ≥ 0.95', () => {
    const width = 80;
    const height = 80;
    const mask = new Uint8Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        mask[y * width + x] = (x + 0.5 - 40) ** 2 + (y + 0.5 - 40) ** 2 <= 30 ** 2 ? 1 : 0;
    const exact = exactPolygons(mask, width, height)[0]!;
    const [simple] = maskPolygons(mask, width, height, 1);
    expect(simple!.length).toBeLessThan(exact.length / 2);
    const filled = fillPolygons([simple!], width, height);
    let inter = 0;
    let union = 0;
    for (let p = 0; p < mask.length; p++) {
      inter += mask[p]! & filled[p]!;
      union += mask[p]! | filled[p]!;
    }
    expect(inter / union).toBeGreaterThan(0.95);
  });

  it('drops the collinear vertices of a square', () => {
    expect(simplifyClosed([0, 0, 5, 0, 10, 0, 10, 10, 0, 10, 0, 5], 1)).toEqual([0, 0, 10, 0, 10, 10, 0, 10]);
  });
});
