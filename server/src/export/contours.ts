/**
 * Mask → polygons, for polygon-based formats (YOLO-seg): each 4-connected component's outer
 * boundary traced along pixel edges (so the polygon encloses exactly the component's pixels,
 * holes aside), then simplified with Douglas–Peucker. Vertices are pixel corners in pixel units.
 */

/** A closed polygon as `[x0, y0, x1, y1, …]` (the last vertex connects back to the first). */
export type Polygon = number[];

/**
 * Labels the 4-connected components of a 0/1 mask: `labels[p]` is 1… for foreground pixels, 0 for
 * background; returns the labels and, per component, its first pixel in raster order.
 */
export function connectedComponents(
  mask: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; starts: number[] } {
  const labels = new Int32Array(width * height);
  const starts: number[] = [];
  const stack: number[] = [];
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 0 || labels[p] !== 0) continue;
    const label = starts.length + 1;
    starts.push(p);
    labels[p] = label;
    stack.push(p);
    while (stack.length > 0) {
      const q = stack.pop()!;
      const x = q % width;
      // Inlined neighbour visits: this loop runs once per foreground pixel.
      if (x > 0 && mask[q - 1] !== 0 && labels[q - 1] === 0) {
        labels[q - 1] = label;
        stack.push(q - 1);
      }
      if (x < width - 1 && mask[q + 1] !== 0 && labels[q + 1] === 0) {
        labels[q + 1] = label;
        stack.push(q + 1);
      }
      if (q >= width && mask[q - width] !== 0 && labels[q - width] === 0) {
        labels[q - width] = label;
        stack.push(q - width);
      }
      if (q + width < mask.length && mask[q + width] !== 0 && labels[q + width] === 0) {
        labels[q + width] = label;
        stack.push(q + width);
      }
    }
  }
  return { labels, starts };
}

/**
 * The outer boundary of the component `label` whose first raster pixel is `start`, as the corners
 * where the boundary turns. The walk keeps the component on its right; where two of its pixels
 * touch only at a corner it turns away, so the boundary never crosses a diagonal.
 */
export function traceOuterBoundary(
  labels: Int32Array,
  width: number,
  height: number,
  label: number,
  start: number,
): Polygon {
  const inside = (px: number, py: number) =>
    px >= 0 && py >= 0 && px < width && py < height && labels[py * width + px] === label;
  const sx = start % width;
  const sy = (start - sx) / width;
  // Start at the top-left corner of the first pixel heading east: its top edge is on the outer boundary.
  let cx = sx;
  let cy = sy;
  let dx = 1;
  let dy = 0;
  const out: Polygon = [];
  const limit = 4 * (width + 1) * (height + 1);
  for (let steps = 0; steps < limit; steps++) {
    // Pixels ahead of corner (cx, cy) on the right and on the left of the heading.
    const rx = -dy;
    const ry = dx;
    const aheadRight = inside(Math.floor((2 * cx + dx + rx) / 2), Math.floor((2 * cy + dy + ry) / 2));
    const aheadLeft = inside(Math.floor((2 * cx + dx - rx) / 2), Math.floor((2 * cy + dy - ry) / 2));
    let ndx: number;
    let ndy: number;
    if (!aheadRight) {
      ndx = rx; // turn right, around the pixel behind on the right
      ndy = ry;
    } else if (aheadLeft) {
      ndx = -rx; // turn left, the left pixel ahead belongs to us too
      ndy = -ry;
    } else {
      ndx = dx;
      ndy = dy;
    }
    // The start corner is always a turn (the walk arrives there heading north).
    if (ndx !== dx || ndy !== dy || steps === 0) out.push(cx, cy);
    dx = ndx;
    dy = ndy;
    cx += dx;
    cy += dy;
    // Only one of the four pixels around the start corner is ours, so the walk passes it once.
    if (cx === sx && cy === sy) break;
  }
  return out;
}

function pointLineDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const len2 = vx * vx + vy * vy;
  if (len2 === 0) return Math.hypot(px - ax, py - ay);
  return Math.abs(vx * (ay - py) - (ax - px) * vy) / Math.sqrt(len2);
}

/** Douglas–Peucker on an open polyline of `[x, y]` pairs; keeps both ends. */
function simplifyOpen(pts: Polygon, from: number, to: number, epsilon: number, keep: Uint8Array): void {
  const stack: Array<[number, number]> = [[from, to]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    let best = -1;
    let bestD = epsilon;
    for (let i = a + 1; i < b; i++) {
      const d = pointLineDistance(
        pts[2 * i]!,
        pts[2 * i + 1]!,
        pts[2 * a]!,
        pts[2 * a + 1]!,
        pts[2 * b]!,
        pts[2 * b + 1]!,
      );
      if (d > bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push([a, best], [best, b]);
    }
  }
}

/**
 * Simplifies a closed polygon with Douglas–Peucker (`epsilon` in pixels): the ring is split at its
 * first vertex and the vertex farthest from it, and each half is simplified on its own.
 */
export function simplifyClosed(poly: Polygon, epsilon: number): Polygon {
  const n = poly.length / 2;
  if (n <= 3) return poly.slice();
  let far = 0;
  let farD = -1;
  for (let i = 1; i < n; i++) {
    const d = Math.hypot(poly[2 * i]! - poly[0]!, poly[2 * i + 1]! - poly[1]!);
    if (d > farD) {
      farD = d;
      far = i;
    }
  }
  const ring = [...poly, poly[0]!, poly[1]!]; // vertex n = vertex 0 closes the ring
  const keep = new Uint8Array(n + 1);
  keep[0] = 1;
  keep[far] = 1;
  simplifyOpen(ring, 0, far, epsilon, keep);
  simplifyOpen(ring, far, n, epsilon, keep);
  const out: Polygon = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(ring[2 * i]!, ring[2 * i + 1]!);
  return out;
}

/** Every component's outer boundary, simplified; polygons that collapse below 3 vertices are dropped. */
export function maskPolygons(mask: Uint8Array, width: number, height: number, epsilon = 1): Polygon[] {
  const { labels, starts } = connectedComponents(mask, width, height);
  const out: Polygon[] = [];
  starts.forEach((start, k) => {
    const poly = simplifyClosed(traceOuterBoundary(labels, width, height, k + 1, start), epsilon);
    if (poly.length >= 6) out.push(poly);
  });
  return out;
}
