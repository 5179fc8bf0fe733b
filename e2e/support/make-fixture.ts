/**
 * Writes the end-to-end fixture: a synthetic scene encoded as H.264 MP4 with a real ffmpeg, and its
 * ground truth (per frame, the disc's mask as RM bytes in base64, its centroid and bounding box).
 * Run with tsx: `tsx e2e/support/make-fixture.ts <outDir> [frames]`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeMask } from '@roto/shared';
import { getMediaTools } from '../../server/src/media/tools.ts';
import { makeScene, SCENE_IDS } from '../../server/test/support/synthetic.ts';
import { writeSceneVideo } from '../../server/test/support/synthetic-video.ts';

const [outDir, framesArg] = process.argv.slice(2);
if (!outDir) throw new Error('usage: make-fixture.ts <outDir> [frames]');
const scene = makeScene({ frames: Number(framesArg ?? 24), fps: 12 });
await mkdir(outDir, { recursive: true });
const tools = await getMediaTools();
await writeSceneVideo(scene, join(outDir, 'scene.mp4'), tools.ffmpeg.path);
const disc = scene.objects.find((o) => o.id === SCENE_IDS.disc)!;
const truth = disc.masks.map((m, frame) => {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let x0 = scene.width;
  let y0 = scene.height;
  let x1 = 0;
  let y1 = 0;
  for (let i = 0; i < m.length; i++) {
    if (!m[i]) continue;
    const x = i % scene.width;
    const y = Math.floor(i / scene.width);
    n++;
    sx += x;
    sy += y;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return {
    frame,
    area: n,
    centroid: n ? { x: sx / n + 0.5, y: sy / n + 0.5 } : null,
    bbox: { x0, y0, x1, y1 },
    rm: Buffer.from(encodeMask(m, scene.width, scene.height)).toString('base64'),
    ...samples(m, scene.width, scene.height, { x0, y0, x1, y1 }),
  };
});
/**
 * Pixels to check on screen, every 3rd pixel: `inside` lie 3+ px within the object (a mask may be
 * a pixel off at its edge), `outside` lie 5+ px away from it but near it (where a leak would show).
 */
function samples(m: Uint8Array, w: number, h: number, b: { x0: number; y0: number; x1: number; y1: number }) {
  const near = (x: number, y: number, r: number, want: number) => {
    for (let dy = -r; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        const v = xx < 0 || yy < 0 || xx >= w || yy >= h ? 0 : m[yy * w + xx]!;
        if (v === want) return true;
      }
    return false;
  };
  const inside: Array<[number, number]> = [];
  const outside: Array<[number, number]> = [];
  for (let y = Math.max(0, b.y0 - 20); y <= Math.min(h - 1, b.y1 + 20); y += 3) {
    for (let x = Math.max(0, b.x0 - 20); x <= Math.min(w - 1, b.x1 + 20); x += 3) {
      if (m[y * w + x] && !near(x, y, 3, 0)) inside.push([x + 0.5, y + 0.5]);
      else if (!m[y * w + x] && !near(x, y, 5, 1)) outside.push([x + 0.5, y + 0.5]);
    }
  }
  return { inside, outside };
}

await writeFile(
  join(outDir, 'truth.json'),
  JSON.stringify({
    width: scene.width,
    height: scene.height,
    fps: scene.fps,
    frames: scene.frames.length,
    discColor: disc.color,
    disc: truth,
  }),
);
console.log(`fixture written to ${outDir}`);
