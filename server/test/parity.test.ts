/**
 * SAM2.1 video parity: the engine (TypeScript host algorithm + ailia-format ONNX modules) must
 * reproduce the official PyTorch SAM2VideoPredictor on the sam21-parity fixture, frame by frame.
 * Pass bar from the fixture's README: low-res logits within 1e-3 and mask IoU ≥ 0.999 on every
 * frame, plus the frame-1 memory against the predictor's own (bfloat16-rounded) memory.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaskOutput, VideoFrames } from '../src/inference/engine.ts';
import { parseNpy } from '../src/inference/npy.ts';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { decodeImage } from '../src/inference/preprocess.ts';
import type { Sam2VideoState } from '../src/inference/video-state.ts';
import { PARITY_DIR, writeParityPack } from './parity-pack.ts';

const FRAMES = 20;
const W = 960;
const H = 540;
const name = (f: number) => String(f).padStart(5, '0');
const npy = (path: string) => parseNpy(readFileSync(path), path).data as Float32Array;

function bedroom(): VideoFrames {
  return {
    id: 'sam21-parity-bedroom',
    frameCount: FRAMES,
    width: W,
    height: H,
    getFrame: async (i) => decodeImage(readFileSync(join(PARITY_DIR, 'frames', `${name(i)}.jpg`))),
  };
}

async function referenceMask(f: number): Promise<Uint8Array> {
  const { data, info } = await sharp(readFileSync(join(PARITY_DIR, 'reference/masks/1', `${name(f)}.png`)))
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([W, H]);
  return Uint8Array.from(data, (v) => (v > 127 ? 1 : 0));
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i]! & b[i]!;
    union += a[i]! | b[i]!;
  }
  return union === 0 ? 1 : inter / union;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each(['default', 'legacy'] as const)(
  'SAM2.1 parity with the official predictor (%s export files)',
  (variant) => {
    let dir: string;
    let engine: OnnxEngine;
    const outputs: MaskOutput[] = [];
    let frame1: Parameters<NonNullable<Sam2VideoState['probe']>>[1] | undefined;
    // The legacy files are the same model with other tensor layouts: a shorter run proves they load and agree.
    const frames = variant === 'default' ? FRAMES : 4;

    beforeAll(async () => {
      dir = writeParityPack(variant);
      engine = createOnnxEngine({ pack: dir, verify: 'always' });
      await engine.ready();
      const state = engine.createVideoState(bedroom()) as Sam2VideoState;
      state.probe = (f, inputs) => {
        if (f === 1) frame1 = inputs;
      };
      outputs.push(await state.addPrompts(0, 1, { points: [{ x: 210, y: 350, label: 1 }] }));
      // propagate_in_video from frame 0 forward: the conditioning frame comes back as stored.
      expect((await state.track(0, 1, 'forward')).lowRes).toEqual(outputs[0]!.lowRes);
      for (let f = 1; f < frames; f++) outputs.push(await state.track(f, 1, 'forward'));
      // Memory attention over 7 memories takes seconds per frame on a small shared CPU.
    }, 1_200_000);

    afterAll(async () => {
      await engine?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('reports the pack ready on the CPU provider', () => {
      expect(engine.info()).toMatchObject({ status: 'ready', kind: 'sam2-video', providers: ['cpu'] });
    });

    it('matches the reference logits (≤ 1e-3) and masks (IoU ≥ 0.999) on every frame', async () => {
      const rows: string[] = [];
      let worstDiff = 0;
      let worstIou = 1;
      for (let f = 0; f < frames; f++) {
        const out = outputs[f]!;
        expect([out.width, out.height]).toEqual([W, H]);
        expect(out.present).toBe(true);
        const diff = maxAbsDiff(out.lowRes, npy(join(PARITY_DIR, 'reference/logits/1', `${name(f)}.npy`)));
        const j = iou(out.mask, await referenceMask(f));
        rows.push(`frame ${name(f)}: max |logit diff| ${diff.toExponential(2)}  IoU ${j.toFixed(6)}`);
        worstDiff = Math.max(worstDiff, diff);
        worstIou = Math.min(worstIou, j);
      }
      console.log(
        `[parity ${variant}]\n${rows.join('\n')}\nworst: ${worstDiff.toExponential(2)} / ${worstIou.toFixed(6)}`,
      );
      expect(worstDiff).toBeLessThanOrEqual(1e-3);
      expect(worstIou).toBeGreaterThanOrEqual(0.999);
    });

    it('assembles the frame-1 memory like the official predictor (bfloat16 spatial memory, pointer positions)', () => {
      expect(frame1).toBeDefined();
      const m = frame1!;
      const ref = npy(join(PARITY_DIR, 'reference/debug/frame00001_memory.npy'));
      const refPos = npy(join(PARITY_DIR, 'reference/debug/frame00001_memory_pos.npy'));
      const spatial = 4096 * 64;
      expect(m.memory1.length).toBe(spatial);
      expect(m.memory2.length).toBe(4 * 64);
      // Spatial memory: the predictor stores it as bfloat16; most values must be bit-identical.
      let equal = 0;
      let maxDiff = 0;
      for (let i = 0; i < spatial; i++) {
        if (m.memory1[i] === ref[i]) equal++;
        maxDiff = Math.max(maxDiff, Math.abs(m.memory1[i]! - ref[i]!));
      }
      console.log(
        `[parity ${variant}] frame-1 memory: ${((100 * equal) / spatial).toFixed(3)} % equal, max diff ${maxDiff.toExponential(2)}`,
      );
      expect(equal / spatial).toBeGreaterThan(0.99);
      expect(maxDiff).toBeLessThanOrEqual(4e-3); // one bfloat16 step at these magnitudes
      expect(maxAbsDiff(m.memoryPos1, refPos.subarray(0, spatial))).toBeLessThan(1e-5);
      expect(maxAbsDiff(m.memory2, ref.subarray(spatial))).toBeLessThan(1e-4);
      expect(maxAbsDiff(m.memoryPos2, refPos.subarray(spatial))).toBeLessThan(1e-5);
      // The current frame's tokens, first 128 rows stored.
      expect(
        maxAbsDiff(
          m.curr.subarray(0, 128 * 256),
          npy(join(PARITY_DIR, 'reference/debug/frame00001_curr.npy')),
        ),
      ).toBeLessThan(1e-4);
      expect(
        maxAbsDiff(
          m.currPos.subarray(0, 128 * 256),
          npy(join(PARITY_DIR, 'reference/debug/frame00001_curr_pos.npy')),
        ),
      ).toBeLessThan(1e-5);
    });

    it('gives the official memory-attention output on frame 1 (first 128 rows)', {
      timeout: 300_000,
    }, async () => {
      const m = frame1!;
      const model = await engine.videoModel();
      const out = (await model.attend(m.curr, m.currPos, m.memory1, m.memoryPos1, m.memory2, m.memoryPos2))
        .data as Float32Array;
      const ref = npy(join(PARITY_DIR, 'reference/debug/frame00001_output.npy'));
      let d = 0;
      for (let i = 0; i < 128; i++)
        for (let c = 0; c < 256; c++) d = Math.max(d, Math.abs(out[c * 4096 + i]! - ref[i * 256 + c]!));
      expect(d).toBeLessThan(1e-4);
    });
  },
);
