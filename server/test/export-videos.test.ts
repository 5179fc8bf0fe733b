/**
 * Video exports on a synthetic scene with exact masks, read back by ffprobe and ffmpeg: frame
 * count, size, rate, audio kept, the overlay's tint, the mask video's colours, the WebM's alpha,
 * and cancellation leaving nothing behind.
 */
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMask } from '@roto/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCutoutWebm, exportMaskVideo, exportOverlayVideo } from '../src/export/index.ts';
import { parseColor } from '../src/export/selection.ts';
import type { ExportProgress } from '../src/export/types.ts';
import { decodeVideo, probe, type SceneSource, sceneSource } from './export-harness.ts';
import { maskIoU } from './support/synthetic.ts';

let dir: string;
let plain: SceneSource;
let withAudio: SceneSource;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roto-export-video-'));
  plain = await sceneSource(join(dir, 'plain'), { frames: 24, fps: 24 });
  withAudio = await sceneSource(join(dir, 'audio'), {
    frames: 20,
    fps: 25,
    audio: true,
    width: 256,
    height: 192,
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Mean RGB of `rgb` (packed) over the pixels where `mask` is set and whose 4-neighbours are too. */
function interiorMean(rgb: Uint8Array, mask: Uint8Array, width: number): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let p = width; p < mask.length - width; p++) {
    if (!mask[p] || !mask[p - 1] || !mask[p + 1] || !mask[p - width] || !mask[p + width]) continue;
    for (let c = 0; c < 3; c++) sum[c]! += rgb[3 * p + c]!;
    n++;
  }
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}

describe('overlay MP4', () => {
  it('keeps frame count, size and fps, and tints each object towards its colour', async () => {
    const { scene, source } = plain;
    const progress: ExportProgress[] = [];
    const out = join(dir, 'overlay.mp4');
    const res = await exportOverlayVideo(source, out, { onProgress: (p) => progress.push(p) });
    expect(res).toMatchObject({ path: out, mime: 'video/mp4', fileName: 'synthetic-scene-overlay.mp4' });
    expect(res.bytes).toBeGreaterThan(1000);
    expect(progress.at(-1)).toEqual({ done: 24, total: 24 });

    const p = await probe(out);
    expect(p.video).toMatchObject({
      codec: 'h264',
      width: 320,
      height: 240,
      fps: 24,
      frames: 24,
      pixFmt: 'yuv420p',
    });
    expect(p.audio).toEqual([]);

    const raw = await decodeVideo(out, 'rgb24');
    const size = scene.width * scene.height * 3;
    expect(raw.length).toBe(size * 24);
    for (const t of [0, 12, 23]) {
      const frame = raw.subarray(t * size, (t + 1) * size);
      for (const obj of scene.objects) {
        const src = interiorMean(scene.frames[t]!.data, obj.masks[t]!, scene.width);
        const got = interiorMean(frame, obj.masks[t]!, scene.width);
        const tint = parseColor(source.objects.find((o) => o.id === obj.id)!.color);
        // 45 % of the object's colour over 55 % of the frame, within compression noise.
        for (let c = 0; c < 3; c++)
          expect(Math.abs(got[c]! - (0.55 * src[c]! + 0.45 * tint[c]!))).toBeLessThan(14);
      }
    }
  });

  it('gives the same picture when frames are not a numbered JPEG sequence (general path)', async () => {
    const { source } = plain;
    const fast = join(dir, 'overlay-fast.mp4');
    const general = join(dir, 'overlay-general.mp4');
    await exportOverlayVideo(source, fast);
    // Same files, reached through symlinks named so that no image2 pattern covers them.
    const links = join(dir, 'links');
    await mkdir(links);
    for (let i = 0; i < source.frameCount; i++)
      await symlink(source.framePath(i), join(links, `frame-${i}.jpg`));
    await exportOverlayVideo({ ...source, framePath: (i) => join(links, `frame-${i}.jpg`) }, general);
    expect((await probe(general)).video).toMatchObject({ width: 320, height: 240, fps: 24, frames: 24 });
    const a = await decodeVideo(fast, 'rgb24');
    const b = await decodeVideo(general, 'rgb24');
    expect(b.length).toBe(a.length);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
    // Both blend 45 % towards the colour; they differ by chroma rounding and compression only.
    expect(diff / a.length).toBeLessThan(4);
  });

  it("paints a session's masks from their runs exactly as from the decoded masks", async () => {
    const { scene, source } = plain;
    // As a session keeps them: RM run-length bytes per object and frame.
    const rm = scene.objects.map((o) => ({ id: o.id, masks: o.masks.map((m) => encodeMask(m, 320, 240)) }));
    const maskRuns = (i: number) => new Map(rm.map((o) => [o.id, o.masks[i]!]));
    const fromRuns = join(dir, 'overlay-runs.mp4');
    const fromMasks = join(dir, 'overlay-masks.mp4');
    await exportOverlayVideo({ ...source, maskRuns }, fromRuns);
    await exportOverlayVideo(source, fromMasks);
    const a = await decodeVideo(fromRuns, 'rgb24');
    const b = await decodeVideo(fromMasks, 'rgb24');
    expect(a.length).toBe(320 * 240 * 3 * 24);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('keeps the source audio track', async () => {
    const out = join(dir, 'overlay-audio.mp4');
    await exportOverlayVideo(withAudio.source, out);
    const p = await probe(out);
    expect(p.video).toMatchObject({ width: 256, height: 192, fps: 25, frames: 20 });
    expect(p.audio).toEqual([{ codec: 'aac' }]);
  });
});

describe('mask video', () => {
  it('paints each object in its colour on black (IoU ≥ 0.9 per object)', async () => {
    const { scene, source } = plain;
    const out = join(dir, 'masks.mp4');
    await exportMaskVideo(source, out);
    const p = await probe(out);
    expect(p.video).toMatchObject({ codec: 'h264', width: 320, height: 240, fps: 24, frames: 24 });
    const raw = await decodeVideo(out, 'rgb24');
    const size = scene.width * scene.height * 3;
    const palette = [[0, 0, 0], ...source.objects.map((o) => parseColor(o.color))];
    for (const t of [0, 23]) {
      const frame = raw.subarray(t * size, (t + 1) * size);
      // Each pixel takes the nearest palette colour.
      const nearest = new Uint8Array(scene.width * scene.height);
      for (let q = 0; q < nearest.length; q++) {
        let best = 0;
        let bestD = Number.POSITIVE_INFINITY;
        palette.forEach((c, k) => {
          const d =
            (frame[3 * q]! - c[0]!) ** 2 +
            (frame[3 * q + 1]! - c[1]!) ** 2 +
            (frame[3 * q + 2]! - c[2]!) ** 2;
          if (d < bestD) {
            bestD = d;
            best = k;
          }
        });
        nearest[q] = best;
      }
      source.objects.forEach((o, k) => {
        const got = nearest.map((v) => (v === k + 1 ? 1 : 0));
        expect(maskIoU(got, scene.objects.find((s) => s.id === o.id)!.masks[t]!)).toBeGreaterThan(0.9);
      });
    }
  });
});

describe('cut-out WebM', () => {
  it('is VP9 with an alpha plane that matches the selected object', async () => {
    const { scene, source } = plain;
    const out = join(dir, 'cutout.webm');
    const res = await exportCutoutWebm(source, out, { objectIds: [2] });
    expect(res.mime).toBe('video/webm');
    const p = await probe(out);
    expect(p.video).toMatchObject({ codec: 'vp9', width: 320, height: 240, fps: 24, frames: 24 });
    expect(p.video.tags.alpha_mode ?? p.video.tags.ALPHA_MODE).toBe('1');
    // libvpx's own decoder reads the alpha side data (ffmpeg's native vp9 decoder drops it).
    const raw = await decodeVideo(out, 'rgba', 'libvpx-vp9');
    const size = scene.width * scene.height * 4;
    expect(raw.length).toBe(size * 24);
    for (const t of [0, 23]) {
      const alpha = new Uint8Array(scene.width * scene.height);
      for (let q = 0; q < alpha.length; q++) alpha[q] = raw[t * size + 4 * q + 3]! > 127 ? 1 : 0;
      expect(maskIoU(alpha, scene.objects.find((o) => o.id === 2)!.masks[t]!)).toBeGreaterThan(0.9);
    }
  });
});

describe('cancellation', () => {
  it('stops ffmpeg, rejects with CANCELLED and leaves no file behind', async () => {
    const out = join(dir, 'cancelled', 'overlay.mp4');
    const ctl = new AbortController();
    const run = exportOverlayVideo(plain.source, out, {
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.done === 5) ctl.abort('the user cancelled');
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await readdir(join(dir, 'cancelled'))).toEqual([]);
  });

  it('refuses an already aborted signal before writing anything', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(
      exportMaskVideo(plain.source, join(dir, 'never', 'm.mp4'), { signal: ctl.signal }),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    await expect(readdir(join(dir, 'never'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
