/**
 * Scanline polygon fill, for checking polygon exports against masks: a pixel is inside when its
 * centre is inside the polygon (even–odd rule), the convention of OpenCV's and pycocotools'
 * polygon rasterisers up to half a pixel.
 */

/** Fills closed polygons (`[x0, y0, x1, y1, …]` in pixel units) into a new width × height 0/1 mask. */
export function fillPolygons(
  polygons: readonly (readonly number[])[],
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const poly of polygons) {
    const n = poly.length / 2;
    for (let y = 0; y < height; y++) {
      const cy = y + 0.5;
      const xs: number[] = [];
      for (let i = 0; i < n; i++) {
        const x0 = poly[2 * i]!;
        const y0 = poly[2 * i + 1]!;
        const j = (i + 1) % n;
        const x1 = poly[2 * j]!;
        const y1 = poly[2 * j + 1]!;
        // Half-open on y so a vertex on the scanline is counted once.
        if ((y0 <= cy && y1 > cy) || (y1 <= cy && y0 > cy)) xs.push(x0 + ((cy - y0) / (y1 - y0)) * (x1 - x0));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const from = Math.max(0, Math.ceil(xs[k]! - 0.5));
        const to = Math.min(width - 1, Math.ceil(xs[k + 1]! - 0.5) - 1);
        for (let x = from; x <= to; x++) out[y * width + x] = 1 - out[y * width + x]!;
      }
    }
  }
  return out;
}
