/**
 * The committed test pack (models/test-tiny): it is what its generator writes, it follows the
 * SAM2.1 ailia contract exactly, and it really segments and tracks on synthetic videos.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { MiniHost, toFrameMask } from '../../models/generator/mini-host.ts';
import { validateManifest } from '../src/inference/manifest.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACK = join(ROOT, 'models/test-tiny');
const GENERATOR = join(ROOT, 'models/generator/make_test_pack.py');
const PARITY = join(ROOT, '../shared/fixtures/sam21-parity/pack');
const PYTHON = '/usr/bin/python3';
const hasPythonOnnx = spawnSync(PYTHON, ['-c', 'import numpy, onnx'], { stdio: 'ignore' }).status === 0;

async function manifest() {
  return validateManifest(JSON.parse(await readFile(join(PACK, 'manifest.json'), 'utf8')));
}

describe('models/test-tiny', () => {
  it('has a valid manifest whose checksums and sizes match the files', async () => {
    const m = await manifest();
    expect([m.name, m.family, m.kind, m.size, m.format]).toEqual([
      'test-tiny',
      'sam2.1',
      'sam2-video',
      'test',
      'ailia-sam2-split',
    ]);
    expect(m.modules.promptEncoder?.options).toEqual({ maskRank: 4 });
    const files = [...Object.values(m.modules), ...(m.constants ? [m.constants] : [])];
    expect(files).toHaveLength(8);
    let total = 0;
    for (const f of files) {
      const bytes = await readFile(join(PACK, f.file));
      expect({
        file: f.file,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.length,
      }).toEqual({
        file: f.file,
        sha256: f.sha256,
        bytes: f.bytes,
      });
      total += bytes.length;
    }
    expect(total).toBeLessThan(1 << 20);
  });

  it.skipIf(!existsSync(PARITY))('has the tensor contract of the SAM2.1 reference export', async () => {
    const m = await manifest();
    for (const mod of Object.values(m.modules)) {
      const ours = await ort.InferenceSession.create(join(PACK, mod.file));
      const ref = await ort.InferenceSession.create(join(PARITY, mod.file));
      expect(ours.inputMetadata, mod.file).toEqual(ref.inputMetadata);
      const outs = (s: ort.InferenceSession) => s.outputMetadata.map((o) => [o.name, o.isTensor && o.type]);
      expect(outs(ours), mod.file).toEqual(outs(ref));
      await ours.release();
      await ref.release();
    }
  });

  it.skipIf(!hasPythonOnnx)('is exactly what the generator writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roto-pack-'));
    try {
      const run = spawnSync(PYTHON, [GENERATOR, dir], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const names = (await readdir(PACK)).sort();
      expect((await readdir(dir)).sort()).toEqual(names);
      for (const name of names) {
        const same = (await readFile(join(dir, name))).equals(await readFile(join(PACK, name)));
        expect(same, `${name} differs from the generator's output: rerun make_test_pack.py`).toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('segments a clicked object, and a negative click removes a look-alike neighbour', async () => {
    const scene = makeScene({ frames: 1, lookalike: true });
    const frame = scene.frames[0];
    if (!frame) throw new Error('no frame');
    const disc = sceneObject(scene, SCENE_IDS.disc).masks[0] ?? new Uint8Array();
    const square = sceneObject(scene, SCENE_IDS.lookalike).masks[0] ?? new Uint8Array();
    const pos = { ...interiorPoint(disc, scene.width), label: 1 };
    const neg = { ...interiorPoint(square, scene.width), label: 0 };
    const one = await (await MiniHost.load(PACK)).prompt(0, frame, [pos]);
    const both = await (await MiniHost.load(PACK)).prompt(0, frame, [pos, neg]);
    const before = toFrameMask(one.lowRes, scene.width, scene.height);
    const after = toFrameMask(both.lowRes, scene.width, scene.height);
    // The square is within the colour tolerance of the disc: one click takes both.
    expect(maskIoU(before, square)).toBeGreaterThan(0);
    expect(maskIoU(after, disc)).toBeGreaterThanOrEqual(0.95);
    expect(maskIoU(after, square)).toBe(0);
    expect(both.score).toBeGreaterThan(0);

    // Refining the first mask with the negative click alone gives the same result.
    const refined = await (await MiniHost.load(PACK)).prompt(0, frame, [neg], one.lowRes);
    const carved = toFrameMask(refined.lowRes, scene.width, scene.height);
    expect(maskIoU(carved, disc)).toBeGreaterThanOrEqual(0.95);
    expect(maskIoU(carved, square)).toBe(0);

    const rect = sceneObject(scene, SCENE_IDS.rectangle).masks[0] ?? new Uint8Array();
    const r = await (await MiniHost.load(PACK)).prompt(0, frame, [
      { ...interiorPoint(rect, scene.width), label: 1 },
    ]);
    expect(maskIoU(toFrameMask(r.lowRes, scene.width, scene.height), rect)).toBeGreaterThanOrEqual(0.95);
  });

  it('takes only the clicked region, not a same-coloured object elsewhere', async () => {
    const scene = makeScene({ frames: 1, twin: true });
    const frame = scene.frames[0];
    if (!frame) throw new Error('no frame');
    const disc = sceneObject(scene, SCENE_IDS.disc).masks[0] ?? new Uint8Array();
    const twin = sceneObject(scene, SCENE_IDS.twin).masks[0] ?? new Uint8Array();
    const host = await MiniHost.load(PACK);
    const r = await host.prompt(0, frame, [{ ...interiorPoint(disc, scene.width), label: 1 }]);
    const mask = toFrameMask(r.lowRes, scene.width, scene.height);
    expect(maskIoU(mask, disc)).toBeGreaterThanOrEqual(0.95);
    expect(maskIoU(mask, twin)).toBe(0);
  });

  it('tracks an object out of the frame and back through the memory path', async () => {
    const scene = makeScene({ exitAndReturn: true, frames: 40 });
    const truth = sceneObject(scene, SCENE_IDS.triangle).masks;
    const host = await MiniHost.load(PACK);
    const ious: number[] = [];
    const absentScores: number[] = [];
    for (const [t, frame] of scene.frames.entries()) {
      const gt = truth[t] ?? new Uint8Array();
      const r =
        t === 0
          ? await host.prompt(0, frame, [{ ...interiorPoint(gt, scene.width), label: 1 }])
          : await host.track(t, frame, scene.frames.length);
      ious.push(maskIoU(toFrameMask(r.lowRes, scene.width, scene.height), gt));
      if (!gt.some((v) => v)) absentScores.push(r.score);
    }
    const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
    expect(mean).toBeGreaterThanOrEqual(0.9);
    expect(absentScores.length).toBeGreaterThanOrEqual(5);
    for (const s of absentScores) expect(s).toBeLessThanOrEqual(0);
    // Re-acquired after coming back.
    expect(ious.at(-1)).toBeGreaterThanOrEqual(0.9);
  });
});
