/**
 * `roto segment` end to end, as a child process on the test pack: a synthetic MP4 with a known
 * moving disc is clicked once, propagated and exported; what a user checks is the file (ffprobe's
 * frame count, size and rate; COCO masks decoded back and compared with the ground truth) and
 * that no temporary files are left.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeCocoRle } from '@roto/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../src/media/process.ts';
import { getMediaTools } from '../src/media/tools.ts';
import { runRoto, tempDir } from './cli-harness.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';
import { writeSceneVideo } from './support/synthetic-video.ts';

const FRAMES = 8;
const scene = makeScene({ frames: FRAMES });
const disc = sceneObject(scene, SCENE_IDS.disc);
const big = makeScene({ frames: 1, width: 640, height: 480 });
const still = () => join(work.dir, 'still.png');

let work: { dir: string; remove: () => Promise<void> };
let video: string;
/** The children's TMPDIR: every temporary file a run makes lands here, so leftovers show. */
let childTmp: string;

beforeAll(async () => {
  work = await tempDir('roto-cli-segment-');
  video = join(work.dir, 'clip.mp4');
  await writeSceneVideo(scene, video, (await getMediaTools()).ffmpeg.path);
  childTmp = join(work.dir, 'tmp');
  await mkdir(childTmp);
  // The same layout at twice the size, as a still: clicks are given on the 640×480 picture.
  const f0 = big.frames[0]!;
  await sharp(f0.data, { raw: { width: f0.width, height: f0.height, channels: 3 } })
    .png()
    .toFile(still());
});

afterAll(() => work.remove());

/** Temporary folders of `roto segment` still in the children's TMPDIR (tsx keeps its own cache there). */
const leftovers = async () => (await readdir(childTmp)).filter((f) => f.startsWith('roto-'));

const segment = (args: string[]) => runRoto(['segment', ...args], { env: { TMPDIR: childTmp } });

async function probe(path: string): Promise<{ frames: number; width: number; height: number; fps: string }> {
  const tools = await getMediaTools();
  const res = await runProcess(tools.ffprobe.path, [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames,width,height,avg_frame_rate',
    '-of',
    'json',
    path,
  ]);
  const s = (JSON.parse(res.stdout) as { streams: Array<Record<string, string | number>> }).streams[0] ?? {};
  return {
    frames: Number(s.nb_read_frames),
    width: Number(s.width),
    height: Number(s.height),
    fps: String(s.avg_frame_rate),
  };
}

const pointsArg = (frame: number) => {
  const p = interiorPoint(disc.masks[frame]!, scene.width);
  return `[[${p.x},${p.y}]]`;
};

/** The inclusive pixel bounds of a mask. */
function bboxOf(mask: Uint8Array, width: number): { x0: number; y0: number; x1: number; y1: number } {
  const b = { x0: width, y0: Number.POSITIVE_INFINITY, x1: -1, y1: -1 };
  mask.forEach((v, i) => {
    if (!v) return;
    const x = i % width;
    const y = Math.floor(i / width);
    b.x0 = Math.min(b.x0, x);
    b.y0 = Math.min(b.y0, y);
    b.x1 = Math.max(b.x1, x);
    b.y1 = Math.max(b.y1, y);
  });
  return b;
}

type Coco = {
  images: Array<{ id: number; frame_index: number; width: number; height: number }>;
  categories: Array<{ id: number; name: string }>;
  annotations: Array<{
    image_id: number;
    category_id: number;
    segmentation: { size: [number, number]; counts: string };
  }>;
};

describe('roto segment on a video', () => {
  it('writes an overlay MP4 with every frame at the video size and rate, and says what it did', async () => {
    const out = join(work.dir, 'overlay.mp4');
    const run = await segment([
      video,
      '--frame',
      '0',
      '--points',
      pointsArg(0),
      '--labels',
      '[1]',
      '--export',
      out,
    ]);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(await probe(out)).toEqual({
      frames: FRAMES,
      width: scene.width,
      height: scene.height,
      fps: '24/1',
    });
    // Progress on a pipe is plain lines, one phase after the other.
    expect(run.stderr).toMatch(/decode: 8 frames in/);
    expect(run.stderr).toMatch(/propagate: 8 frames in/);
    expect(run.stderr).toMatch(/export: 8 frames in/);
    const truthArea = disc.masks.reduce((a, m) => a + m.reduce((s, v) => s + v, 0), 0) / FRAMES;
    const summary =
      /segmented 8 frames: 8 masks, mean mask area (\d+) px .* wrote (.*) \(overlay-mp4, (.*)\)/.exec(
        run.stdout,
      );
    expect(summary, run.stdout).not.toBeNull();
    expect(Math.abs(Number(summary![1]) - truthArea) / truthArea).toBeLessThan(0.15);
    expect(await leftovers()).toEqual([]);
  });

  it('writes COCO masks that match the moving disc on every propagated frame, both ways from the click', async () => {
    const out = join(work.dir, 'masks.json');
    const click = 3;
    const run = await segment([
      video,
      '--frame',
      String(click),
      '--points',
      pointsArg(click),
      '--object-name',
      'ball',
      '--direction',
      'both',
      '-q',
      '-o',
      out,
      '--format',
      'coco',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(''); // --quiet: only the summary, on stdout
    expect(run.stdout).toMatch(/^segmented 8 frames: 8 masks/);
    const coco = JSON.parse(await readFile(out, 'utf8')) as Coco;
    expect(coco.images).toHaveLength(FRAMES);
    expect(coco.categories).toEqual([expect.objectContaining({ id: 1, name: 'ball' })]);
    const byFrame = new Map(coco.annotations.map((a) => [a.image_id - 1, a]));
    for (let f = 0; f < FRAMES; f++) {
      const a = byFrame.get(f);
      expect(a, `frame ${f} has a mask`).toBeDefined();
      expect(a!.segmentation.size).toEqual([scene.height, scene.width]);
      const iou = maskIoU(decodeCocoRle(a!.segmentation).mask, disc.masks[f]!);
      expect(iou, `IoU on frame ${f}`).toBeGreaterThanOrEqual(0.85);
    }
    expect(await leftovers()).toEqual([]);
  });

  it('a box alone selects the object; only the asked range is tracked; --json reports it', async () => {
    const out = join(work.dir, 'range.json');
    const b = bboxOf(disc.masks[0]!, scene.width);
    const box = `[${b.x0 - 3},${b.y0 - 3},${b.x1 + 3},${b.y1 + 3}]`;
    const run = await segment([video, '--box', box, '--propagate-end', '4', '--json', '-q', '-o', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      frames: 5,
      masks: 5,
      width: 320,
      height: 240,
      format: 'coco-json',
      outPath: out,
    });
    const coco = JSON.parse(await readFile(out, 'utf8')) as Coco;
    expect(coco.images).toHaveLength(FRAMES); // the whole video, masks where tracked
    expect(coco.annotations.map((a) => a.image_id - 1).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const a of coco.annotations) {
      expect(maskIoU(decodeCocoRle(a.segmentation).mask, disc.masks[a.image_id - 1]!)).toBeGreaterThanOrEqual(
        0.85,
      );
    }
  });

  it("--propagate-end past the last frame tracks to the end (seed 003's `--propagate-end 100`)", async () => {
    const out = join(work.dir, 'to-end.json');
    const b = bboxOf(disc.masks[0]!, scene.width);
    const box = `[${b.x0 - 3},${b.y0 - 3},${b.x1 + 3},${b.y1 + 3}]`;
    const run = await segment([video, '--box', box, '--propagate-end', '100', '--json', '-q', '-o', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ frames: FRAMES, masks: FRAMES });
  });
});

describe('roto segment failures', () => {
  it('a pack that is not installed fails with exit 1, names the fetch command and leaves nothing behind', async () => {
    const out = join(work.dir, 'never.mp4');
    const run = await segment([video, '--points', pointsArg(0), '--pack', 'no-such-pack', '-o', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /Model pack "no-such-pack" is not installed.*models:fetch -- no-such-pack \[MODEL_UNAVAILABLE\]/,
    );
    expect(await readdir(work.dir)).not.toContain('never.mp4');
    expect(await leftovers()).toEqual([]);
  });
});

describe('roto segment on an image', () => {
  it('maps clicks from the image pixels onto capped frames and writes the mask PNG', async () => {
    const p = interiorPoint(sceneObject(big, SCENE_IDS.disc).masks[0]!, big.width);
    const out = join(work.dir, 'still-mask.png');
    const run = await segment([
      still(),
      '--points',
      `[[${p.x},${p.y}]]`,
      '--max-side',
      '320',
      '-q',
      '-o',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^segmented 1 frame: 1 mask, .* of 320×240/);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([320, 240, 1]);
    const { data } = await sharp(out).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const mask = Uint8Array.from(data, (v) => (v > 127 ? 1 : 0));
    expect(maskIoU(mask, disc.masks[0]!)).toBeGreaterThanOrEqual(0.85);
  });

  it('refuses a video-only format for an image with exit 2, naming the formats that apply', async () => {
    const run = await segment([
      still(),
      '--points',
      '[[10,10]]',
      '-o',
      join(work.dir, 'x.mp4'),
      '--format',
      'overlay',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--format overlay does not apply to an image; use one of masks, davis, coco, yolo, alpha',
    );
  });
});
