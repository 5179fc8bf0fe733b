import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './synthetic.ts';
import { readVideoFrames, writeSceneFrames, writeSceneVideo } from './synthetic-video.ts';

const area = (m: Uint8Array) => m.reduce((a, v) => a + v, 0);

describe('synthetic scenes', () => {
  it('are deterministic: same options, same pixels and masks', () => {
    const a = makeScene({ frames: 5, seed: 7, occlusion: true });
    const b = makeScene({ frames: 5, seed: 7, occlusion: true });
    expect(Buffer.compare(Buffer.from(a.frames[4]?.data ?? []), Buffer.from(b.frames[4]?.data ?? []))).toBe(
      0,
    );
    expect(
      maskIoU(sceneObject(a, 1).masks[4] ?? new Uint8Array(), sceneObject(b, 1).masks[4] ?? new Uint8Array()),
    ).toBe(1);
    const c = makeScene({ frames: 5, seed: 8, occlusion: true });
    expect(
      Buffer.compare(Buffer.from(a.frames[0]?.data ?? []), Buffer.from(c.frames[0]?.data ?? [])),
    ).not.toBe(0);
  });

  it('paints every mask pixel in its object colour, and masks never overlap', () => {
    const scene = makeScene({ frames: 3, lookalike: true, twin: true, background: 'checkers' });
    expect(scene.objects.map((o) => o.id)).toEqual([1, 2, 3, 4, 5]);
    const frame = scene.frames[2];
    if (!frame) throw new Error('no frame');
    const owners = new Uint8Array(scene.width * scene.height);
    for (const obj of scene.objects) {
      const mask = obj.masks[2] ?? new Uint8Array();
      expect(area(mask)).toBeGreaterThan(500);
      for (let p = 0; p < mask.length; p++) {
        if (!mask[p]) continue;
        owners[p] = (owners[p] ?? 0) + 1;
        expect([frame.data[p * 3], frame.data[p * 3 + 1], frame.data[p * 3 + 2]]).toEqual([...obj.color]);
      }
    }
    expect(Math.max(...owners)).toBe(1);
  });

  it('has a default of 48 frames at 320×240', () => {
    const scene = makeScene();
    expect([scene.width, scene.height, scene.fps, scene.frames.length]).toEqual([320, 240, 24, 48]);
    for (const obj of scene.objects) expect(obj.masks).toHaveLength(48);
  });

  it('exitAndReturn: the triangle is absent for several frames, then visible again', () => {
    const masks = sceneObject(makeScene({ exitAndReturn: true }), SCENE_IDS.triangle).masks;
    const absent = masks.map((m, t) => (area(m) === 0 ? t : -1)).filter((t) => t >= 0);
    expect(absent.length).toBeGreaterThanOrEqual(5);
    expect(area(masks[0] ?? new Uint8Array())).toBeGreaterThan(500);
    expect(area(masks[47] ?? new Uint8Array())).toBeGreaterThan(500);
  });

  it('occlusion: the rectangle covers part of the disc mid-clip', () => {
    const disc = sceneObject(makeScene({ occlusion: true }), SCENE_IDS.disc).masks.map(area);
    const full = disc[0] ?? 0;
    expect(Math.min(...disc)).toBeLessThan(full * 0.6);
    expect(disc[47]).toBeGreaterThan(full * 0.95);
  });

  it('interiorPoint lands inside the mask', () => {
    const scene = makeScene({ frames: 1 });
    for (const obj of scene.objects) {
      const mask = obj.masks[0] ?? new Uint8Array();
      const p = interiorPoint(mask, scene.width);
      expect(mask[p.y * scene.width + p.x]).toBe(1);
    }
  });
});

describe('writing scenes to disk', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roto-synthetic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes an H.264 MP4 that ffprobe counts frame by frame and whose colours survive', async () => {
    const scene = makeScene({ frames: 40 });
    const path = join(dir, 'scene.mp4');
    await writeSceneVideo(scene, path, ffmpegInstaller.path);
    const probe = spawnSync(
      ffprobeInstaller.path,
      [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=codec_name,width,height,pix_fmt,nb_read_frames',
        '-of',
        'json',
        path,
      ],
      { encoding: 'utf8' },
    );
    const stream = JSON.parse(probe.stdout).streams[0];
    expect(stream).toMatchObject({
      codec_name: 'h264',
      width: 320,
      height: 240,
      pix_fmt: 'yuv420p',
      nb_read_frames: '40',
    });
    const frames = await readVideoFrames(path, 320, 240, ffmpegInstaller.path);
    expect(frames).toHaveLength(40);
    // The disc centre keeps its colour within a few levels through yuv420p.
    const disc = sceneObject(scene, SCENE_IDS.disc);
    const p = interiorPoint(disc.masks[20] ?? new Uint8Array(), 320);
    const px =
      frames[20]?.data.subarray((p.y * 320 + p.x) * 3, (p.y * 320 + p.x) * 3 + 3) ?? new Uint8Array(3);
    for (let c = 0; c < 3; c++) expect(Math.abs((px[c] ?? 0) - (disc.color[c] ?? 0))).toBeLessThanOrEqual(8);
  });

  it('writes numbered JPEG frames', async () => {
    const scene = makeScene({ frames: 3 });
    const paths = await writeSceneFrames(scene, join(dir, 'frames'));
    expect(await readdir(join(dir, 'frames'))).toEqual(['00000.jpg', '00001.jpg', '00002.jpg']);
    const meta = await sharp(paths[1]).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 240]);
  });
});
