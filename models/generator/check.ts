/**
 * Proves that models/test-tiny segments and tracks on synthetic videos, with onnxruntime-node and
 * the minimal host of mini-host.ts. Prints every figure; exits non-zero when a bar is missed.
 *
 *   npx tsx models/generator/check.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import * as ort from 'onnxruntime-node';
import {
  interiorPoint,
  makeScene,
  maskIoU,
  SCENE_IDS,
  type Scene,
  sceneObject,
} from '../../server/test/support/synthetic.ts';
import { readVideoFrames, writeSceneVideo } from '../../server/test/support/synthetic-video.ts';
import { type Click, MiniHost, toFrameMask } from './mini-host.ts';

const PACK = fileURLToPath(new URL('../test-tiny', import.meta.url));
const failures: string[] = [];

function bar(what: string, value: number, min: number): void {
  const ok = value >= min;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}: ${value.toFixed(4)} (bar ≥ ${min})`);
  if (!ok) failures.push(`${what} = ${value.toFixed(4)} < ${min}`);
}

async function clickIoU(scene: Scene, id: number, clicks: Click[], frame = 0): Promise<number> {
  const host = await MiniHost.load(PACK);
  const img = scene.frames[frame];
  if (!img) throw new Error(`no frame ${frame}`);
  const r = await host.prompt(frame, img, clicks);
  return maskIoU(
    toFrameMask(r.lowRes, scene.width, scene.height),
    sceneObject(scene, id).masks[frame] ?? new Uint8Array(),
  );
}

async function checkClicks(): Promise<void> {
  console.log('single clicks, frame 0 (IoU with ground truth at frame resolution):');
  for (const background of ['noise', 'stripes', 'checkers'] as const) {
    const scene = makeScene({ background, frames: 1 });
    for (const obj of scene.objects) {
      const p = interiorPoint(obj.masks[0] ?? new Uint8Array(), scene.width);
      bar(`${background}: click on ${obj.name}`, await clickIoU(scene, obj.id, [{ ...p, label: 1 }]), 0.95);
    }
  }
  const scene = makeScene({ frames: 1 });
  const rect = sceneObject(scene, SCENE_IDS.rectangle).masks[0] ?? new Uint8Array();
  let x0 = scene.width;
  let y0 = scene.height;
  let x1 = 0;
  let y1 = 0;
  rect.forEach((v, i) => {
    if (!v) return;
    const x = i % scene.width;
    const y = Math.floor(i / scene.width);
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + 1);
    y1 = Math.max(y1, y + 1);
  });
  const box: Click[] = [
    { x: x0 - 3, y: y0 - 3, label: 2 },
    { x: x1 + 3, y: y1 + 3, label: 3 },
  ];
  bar('box around the blue rectangle', await clickIoU(scene, SCENE_IDS.rectangle, box), 0.95);

  const twins = makeScene({ twin: true, frames: 1 });
  const disc0 = sceneObject(twins, SCENE_IDS.disc).masks[0] ?? new Uint8Array();
  bar(
    'click on the disc with a same-coloured twin elsewhere',
    await clickIoU(twins, SCENE_IDS.disc, [{ ...interiorPoint(disc0, twins.width), label: 1 }]),
    0.95,
  );

  console.log('negative click on a look-alike region:');
  const look = makeScene({ lookalike: true, frames: 1 });
  const discMask = sceneObject(look, SCENE_IDS.disc).masks[0] ?? new Uint8Array();
  const sq = interiorPoint(sceneObject(look, SCENE_IDS.lookalike).masks[0] ?? new Uint8Array(), look.width);
  const pos = { ...interiorPoint(discMask, look.width), label: 1 };
  const before = await clickIoU(look, SCENE_IDS.disc, [pos]);
  const after = await clickIoU(look, SCENE_IDS.disc, [pos, { ...sq, label: 0 }]);
  console.log(
    `  positive click on the disc alone: IoU ${before.toFixed(4)} (the similar square is included)`,
  );
  bar('after a negative click on the square', after, 0.95);
  const host = await MiniHost.load(PACK);
  const frame0 = look.frames[0];
  if (!frame0) throw new Error('no frame');
  const first = await host.prompt(0, frame0, [pos]);
  const refined = await host.prompt(0, frame0, [{ ...sq, label: 0 }], first.lowRes);
  bar(
    'negative click alone, refining the first mask (mask input)',
    maskIoU(toFrameMask(refined.lowRes, look.width, look.height), discMask),
    0.95,
  );
  if (after - before < 0.1) failures.push('the negative click did not remove the look-alike square');
}

async function checkTracking(name: string, opts: Parameters<typeof makeScene>[0], id: number): Promise<void> {
  const scene = makeScene(opts);
  const dir = await mkdtemp(join(tmpdir(), 'roto-check-'));
  try {
    // Track on frames that went through H.264 and back, as a user's upload would.
    const video = join(dir, 'scene.mp4');
    await writeSceneVideo(scene, video, ffmpegInstaller.path);
    const frames = await readVideoFrames(video, scene.width, scene.height, ffmpegInstaller.path);
    if (frames.length !== scene.frames.length)
      failures.push(`${name}: decoded ${frames.length} frames of ${scene.frames.length}`);
    const gt = sceneObject(scene, id).masks;
    const host = await MiniHost.load(PACK);
    const first = frames[0];
    if (!first) throw new Error('no frames decoded');
    const r0 = await host.prompt(0, first, [
      { ...interiorPoint(gt[0] ?? new Uint8Array(), scene.width), label: 1 },
    ]);
    const ious = [maskIoU(toFrameMask(r0.lowRes, scene.width, scene.height), gt[0] ?? new Uint8Array())];
    let absentOk = 0;
    let absentFrames = 0;
    let presentOk = 0;
    let presentFrames = 0;
    const line: string[] = [];
    for (let t = 1; t < frames.length; t++) {
      const frame = frames[t];
      if (!frame) break;
      const r = await host.track(t, frame, frames.length);
      const truth = gt[t] ?? new Uint8Array();
      const iou = maskIoU(toFrameMask(r.lowRes, scene.width, scene.height), truth);
      ious.push(iou);
      const area = truth.reduce((a, v) => a + v, 0);
      if (area === 0) {
        absentFrames++;
        if (r.score <= 0) absentOk++;
      } else if (area > 150) {
        presentFrames++;
        if (r.score > 0) presentOk++;
      }
      line.push(`${t}:${iou.toFixed(2)}${r.score > 0 ? '' : '∅'}`);
    }
    const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
    console.log(`tracking ${name}, ${frames.length} frames (IoU per frame, ∅ = judged absent):`);
    console.log(`  ${line.join(' ')}`);
    console.log(`  min IoU ${Math.min(...ious).toFixed(4)}`);
    bar(`${name}: mean IoU`, mean, 0.9);
    if (absentFrames > 0)
      bar(
        `${name}: frames out of view judged absent (${absentOk}/${absentFrames})`,
        absentOk / absentFrames,
        1,
      );
    bar(
      `${name}: frames in view judged present (${presentOk}/${presentFrames})`,
      presentOk / Math.max(presentFrames, 1),
      1,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeModules(): Promise<void> {
  const scene = makeScene({ frames: 8 });
  const host = await MiniHost.load(PACK);
  const obj = sceneObject(scene, SCENE_IDS.disc);
  const first = scene.frames[0];
  if (!first) return;
  await host.prompt(0, first, [
    { ...interiorPoint(obj.masks[0] ?? new Uint8Array(), scene.width), label: 1 },
  ]);
  host.timings.clear();
  for (let t = 1; t < scene.frames.length; t++) {
    const f = scene.frames[t];
    if (f) await host.track(t, f, scene.frames.length);
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
  console.log('module time per call on this CPU (median over 7 tracked frames, memory bank growing to 7):');
  for (const [role, list] of host.timings) {
    const note = role === 'imageEncoder' ? ' (fetching the 4 outputs the host uses)' : '';
    console.log(`  ${role.padEnd(16)} ${median(list).toFixed(1)} ms${note}`);
  }
  const all: number[] = [];
  for (let i = 0; i < 3; i++) {
    host.timings.clear();
    await host.run('imageEncoder', {
      image: new ort.Tensor('float32', new Float32Array(3 << 20), [1, 3, 1024, 1024]),
    });
    all.push(median(host.timings.get('imageEncoder') ?? []));
  }
  console.log(`  imageEncoder     ${median(all).toFixed(1)} ms (all 7 outputs, 96 MiB, median of 3)`);
}

await checkClicks();
await checkTracking('triangle leaving and re-entering', { exitAndReturn: true }, SCENE_IDS.triangle);
await checkTracking(
  'disc behind a passing rectangle',
  { occlusion: true, background: 'stripes' },
  SCENE_IDS.disc,
);
await timeModules();
if (failures.length) {
  console.log(`\n${failures.length} check(s) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('\nall checks passed');
