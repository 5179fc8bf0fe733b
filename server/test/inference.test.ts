/**
 * The ONNX engine end to end on the generated `test-tiny` pack and synthetic scenes with known
 * objects: what a user sees is the mask, so every check is an IoU with the ground truth or the
 * error a bad request gets.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoFrames } from '../src/inference/engine.ts';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { DEFAULT_MODELS_DIR } from '../src/inference/packs.ts';
import {
  interiorPoint,
  makeScene,
  maskIoU,
  SCENE_IDS,
  type Scene,
  sceneObject,
} from './support/synthetic.ts';

let engine: OnnxEngine;
beforeAll(async () => {
  engine = createOnnxEngine({ pack: 'test-tiny' });
  await engine.ready();
});
afterAll(() => engine.close());

function videoOf(scene: Scene, id: string): VideoFrames {
  return {
    id,
    frameCount: scene.frames.length,
    width: scene.width,
    height: scene.height,
    getFrame: async (i) => {
      const f = scene.frames[i];
      if (!f) throw new Error(`no frame ${i}`);
      return f;
    },
  };
}

const click = (scene: Scene, id: number, frame = 0, label: 0 | 1 = 1) => ({
  ...interiorPoint(sceneObject(scene, id).masks[frame]!, scene.width),
  label,
});

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('image segmentation', () => {
  it('a click on an object gives its mask at frame size; the embedding is cached', async () => {
    const scene = makeScene({ frames: 1 });
    const before = engine.cacheBytes();
    const out = await engine.segmentImage(
      scene.frames[0]!,
      { points: [click(scene, SCENE_IDS.disc)] },
      { cacheKey: 'scene-1' },
    );
    expect([out.width, out.height]).toEqual([scene.width, scene.height]);
    expect(out.present).toBe(true);
    expect(out.lowRes.length).toBe(256 * 256);
    expect(maskIoU(out.mask, sceneObject(scene, SCENE_IDS.disc).masks[0]!)).toBeGreaterThan(0.95);
    expect(engine.cacheBytes()).toBeGreaterThan(before);
  });

  it('a box selects the object inside it', async () => {
    const scene = makeScene({ frames: 1 });
    const rect = sceneObject(scene, SCENE_IDS.rectangle).masks[0]!;
    let [x0, y0, x1, y1] = [scene.width, scene.height, 0, 0];
    rect.forEach((v, i) => {
      if (!v) return;
      const x = i % scene.width;
      const y = Math.floor(i / scene.width);
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
    });
    const box = {
      x0: Math.max(0, x0 - 3),
      y0: Math.max(0, y0 - 3),
      x1: Math.min(scene.width, x1 + 3),
      y1: Math.min(scene.height, y1 + 3),
    };
    const out = await engine.segmentImage(scene.frames[0]!, { points: [], box });
    expect(maskIoU(out.mask, rect)).toBeGreaterThan(0.95);
  });

  it('a negative click removes a look-alike region', async () => {
    const scene = makeScene({ lookalike: true, frames: 1 });
    const truth = sceneObject(scene, SCENE_IDS.disc).masks[0]!;
    const pos = click(scene, SCENE_IDS.disc);
    const neg = click(scene, SCENE_IDS.lookalike, 0, 0);
    const first = await engine.segmentImage(scene.frames[0]!, { points: [pos] }, { cacheKey: 'look' });
    const refined = await engine.segmentImage(
      scene.frames[0]!,
      { points: [pos, neg] },
      { cacheKey: 'look', maskInput: first.lowRes },
    );
    expect(maskIoU(refined.mask, truth)).toBeGreaterThan(0.95);
    expect(maskIoU(refined.mask, truth)).toBeGreaterThan(maskIoU(first.mask, truth) + 0.1);
  });

  it('bad prompts are refused with INVALID_INPUT naming the problem', async () => {
    const img = makeScene({ frames: 1 }).frames[0]!;
    const cases: [Parameters<OnnxEngine['segmentImage']>[1], RegExp][] = [
      [{ points: [] }, /at least one point or a box/],
      [{ points: Array.from({ length: 65 }, () => ({ x: 1, y: 1, label: 1 as const })) }, /at most 64/],
      [{ points: [{ x: Number.NaN, y: 3, label: 1 }] }, /not a finite number/],
      [{ points: [{ x: img.width + 5, y: 3, label: 1 }] }, /outside the frame/],
    ];
    for (const [prompts, message] of cases) {
      const err = await rejection(engine.segmentImage(img, prompts));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toMatch(message);
    }
    const bad = await rejection(
      engine.segmentImage(img, { points: [{ x: 1, y: 1, label: 1 }] }, { maskInput: new Float32Array(10) }),
    );
    expect(bad).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('video tracking', () => {
  it('follows an object through the clip from one click and judges it absent while out of view', async () => {
    const scene = makeScene({ exitAndReturn: true }); // 48 frames: the motion per frame the test pack is built for
    const truth = sceneObject(scene, SCENE_IDS.triangle).masks;
    const state = engine.createVideoState(videoOf(scene, 'exit-return'));
    const first = await state.addPrompts(0, 7, { points: [click(scene, SCENE_IDS.triangle)] });
    expect(maskIoU(first.mask, truth[0]!)).toBeGreaterThan(0.95);
    const ious: number[] = [];
    let absentRight = 0;
    let absentFrames = 0;
    for (let t = 1; t < scene.frames.length; t++) {
      const out = await state.track(t, 7, 'forward');
      const area = truth[t]!.reduce((a, v) => a + v, 0);
      if (area === 0) {
        absentFrames++;
        if (!out.present) absentRight++;
      }
      ious.push(maskIoU(out.mask, truth[t]!));
    }
    expect(ious.reduce((a, b) => a + b, 0) / ious.length).toBeGreaterThan(0.9);
    expect(absentRight).toBe(absentFrames);
    expect(state.conditioningFrames(7)).toEqual([0]);
    state.dispose();
  });

  it('a correction on a tracked frame makes it a conditioning frame; clearing it turns it back', async () => {
    const scene = makeScene({ frames: 6 });
    const state = engine.createVideoState(videoOf(scene, 'correct'));
    await state.addPrompts(0, 1, { points: [click(scene, SCENE_IDS.disc)] });
    for (let t = 1; t < 6; t++) await state.track(t, 1, 'forward');
    const fixed = await state.addPrompts(
      3,
      1,
      { points: [click(scene, SCENE_IDS.disc, 3)] },
      { refine: true },
    );
    expect(maskIoU(fixed.mask, sceneObject(scene, SCENE_IDS.disc).masks[3]!)).toBeGreaterThan(0.95);
    expect(state.conditioningFrames(1)).toEqual([0, 3]);
    // Tracking over a conditioning frame returns its stored mask.
    expect((await state.track(3, 1, 'forward')).lowRes).toEqual(fixed.lowRes);
    state.clearPrompts(3, 1);
    expect(state.conditioningFrames(1)).toEqual([0]);
    state.dispose();
  });

  it('tracks backward from a prompt on the last frame', async () => {
    const scene = makeScene({ frames: 6 });
    const truth = sceneObject(scene, SCENE_IDS.rectangle).masks;
    const state = engine.createVideoState(videoOf(scene, 'backward'));
    await state.addPrompts(5, 2, { points: [click(scene, SCENE_IDS.rectangle, 5)] });
    for (let t = 4; t >= 0; t--) {
      const out = await state.track(t, 2, 'backward');
      expect(maskIoU(out.mask, truth[t]!), `frame ${t}`).toBeGreaterThan(0.9);
    }
  });

  it('refuses to track an object without prompts, and frames outside the video', async () => {
    const scene = makeScene({ frames: 3 });
    const state = engine.createVideoState(videoOf(scene, 'errors'));
    expect(await rejection(state.track(1, 9, 'forward'))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/Object 9 has no prompts/),
    });
    expect(() => state.track(3, 1, 'forward')).toThrow(/Frame 3 is outside the video \(0…2\)/);
  });

  it('serialises overlapping calls on one video state', async () => {
    const scene = makeScene({ frames: 4 });
    const state = engine.createVideoState(videoOf(scene, 'overlap'));
    const p0 = state.addPrompts(0, 1, { points: [click(scene, SCENE_IDS.disc)] });
    // Issued without awaiting: each must see the previous one's memory.
    const p = [1, 2, 3].map((t) => state.track(t, 1, 'forward'));
    await p0;
    const outs = await Promise.all(p);
    outs.forEach((o, i) => {
      expect(maskIoU(o.mask, sceneObject(scene, SCENE_IDS.disc).masks[i + 1]!)).toBeGreaterThan(0.9);
    });
  });
});

describe('SAM2 (not 2.1) packs', () => {
  it('track without the pointer time projection (zero pointer positions)', async () => {
    // test-tiny's files under a SAM2 manifest: no obj_ptr_tpos_proj module.
    const src = join(DEFAULT_MODELS_DIR, 'test-tiny');
    const dir = mkdtempSync(join(tmpdir(), 'roto-sam2-'));
    try {
      const m = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8'));
      m.name = 'test-tiny-sam2';
      m.family = 'sam2';
      delete m.modules.objPtrTposProj;
      for (const f of [...Object.values(m.modules), m.constants] as { file: string }[]) {
        symlinkSync(join(src, f.file), join(dir, f.file));
      }
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
      const sam2 = createOnnxEngine({ pack: dir, verify: 'never' });
      await sam2.ready();
      const scene = makeScene({ frames: 6 });
      const truth = sceneObject(scene, SCENE_IDS.disc).masks;
      const state = sam2.createVideoState(videoOf(scene, 'sam2'));
      await state.addPrompts(0, 1, { points: [click(scene, SCENE_IDS.disc)] });
      for (let t = 1; t < 6; t++)
        expect(maskIoU((await state.track(t, 1, 'forward')).mask, truth[t]!)).toBeGreaterThan(0.9);
      await sam2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
