/**
 * The seed-003 backend's workflow, driven the way its clients drive it (plain HTTP, snake_case
 * bodies): upload → annotate → propagate → refine → propagate → overlay → export, on a real
 * server with the real engine on the test pack and a synthetic MP4 encoded by a real ffmpeg.
 * Masks are checked against the scene's ground truth; a Socket.IO participant in the same session
 * sees every mask the REST calls produce.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeCocoRle, decodeMask } from '@roto/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { getMediaTools } from '../src/media/tools.ts';
import { ffprobeCount, problemOf, startServer } from './http-sessions-harness.ts';
import {
  Participant,
  type RealtimeServer,
  startRealtimeServer,
  tempDataDir,
} from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';
import { writeSceneVideo } from './support/synthetic-video.ts';

const FRAMES = 8;
const scene = makeScene({ frames: FRAMES });
const disc = sceneObject(scene, SCENE_IDS.disc);

let engine: OnnxEngine;
let server: RealtimeServer;
let work: { dir: string; remove: () => Promise<void> };
let video: Uint8Array;
const clients: Participant[] = [];

beforeAll(async () => {
  engine = createOnnxEngine({ pack: 'test-tiny' });
  work = await tempDataDir();
  server = await startRealtimeServer(engine, join(work.dir, 'data'));
  const path = join(work.dir, 'clip.mp4');
  await writeSceneVideo(scene, path, (await getMediaTools()).ffmpeg.path);
  video = new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(path)));
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.stop();
  await engine.close();
  await work.remove();
});

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function uploadVideo(): Promise<Record<string, unknown>> {
  const form = new FormData();
  form.append('file', new Blob([video]), 'clip.mp4');
  const res = await fetch(`${server.url}/upload-video`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

type SeedMask = { size: [number, number]; counts: string; area: number; bbox: number[] };

function iouOfRle(mask: SeedMask, truth: Uint8Array): number {
  return maskIoU(decodeCocoRle(mask).mask, truth);
}

/** The mask of the disc object on `frame`, from the v1 API (COCO RLE). */
async function discMaskOn(sessionId: string, frame: number, objectId: number): Promise<Uint8Array> {
  const res = await fetch(
    `${server.url}/api/v1/sessions/${sessionId}/frames/${frame}/masks?objectId=${objectId}`,
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { masks: SeedMask[] };
  expect(body.masks).toHaveLength(1);
  return decodeCocoRle(body.masks[0]!).mask;
}

describe('seed-003 workflow', () => {
  it('upload → annotate → propagate → refine → propagate → overlay → export, watched live over Socket.IO', async () => {
    // Upload: answered once frames are decoded, in the seed's snake_case shape.
    const session = await uploadVideo();
    expect(session).toMatchObject({
      frame_count: FRAMES,
      fps: scene.fps,
      width: scene.width,
      height: scene.height,
      status: 'ready',
      owner_token: expect.any(String),
    });
    const sid = session.session_id as string;

    const frame = await fetch(`${server.url}/frame/${sid}/3`);
    expect(frame.headers.get('content-type')).toBe('image/jpeg');
    const frameMeta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
    expect([frameMeta.width, frameMeta.height]).toEqual([scene.width, scene.height]);

    // A person in the same session, over the realtime protocol.
    const watcher = new Participant(server.url);
    clients.push(watcher);
    await watcher.join(sid, { name: 'watcher' });

    // Annotate frame 0 with one click inside the disc.
    const click0 = interiorPoint(disc.masks[0]!, scene.width);
    const annotated = await post(`/annotate-frame/${sid}`, {
      frame_idx: 0,
      points: [{ ...click0, label: 1 }],
    });
    expect(annotated.status).toBe(200);
    const a = (await annotated.json()) as {
      obj_id: number;
      frame_idx: number;
      mask: SeedMask;
      mask_area: number;
    };
    expect(a).toMatchObject({ success: true, session_id: sid, frame_idx: 0, obj_id: 1 });
    expect(a.mask.size).toEqual([scene.height, scene.width]);
    expect(iouOfRle(a.mask, disc.masks[0]!)).toBeGreaterThan(0.9);
    expect(a.mask_area).toBe(decodeCocoRle(a.mask).mask.reduce((s, v) => s + v, 0));
    await watcher.waitFor((p) => p.of('mask:updated').some((m) => m.frame === 0), 'the clicked mask');
    const seen0 = watcher.of('mask:updated').find((m) => m.frame === 0)!;
    expect(decodeMask(seen0.mask).mask).toEqual(decodeCocoRle(a.mask).mask);

    // Propagate through the clip: the answer comes when it is done.
    const propagated = await post(`/propagate/${sid}`, {
      session_id: sid,
      start_frame: 0,
      end_frame: FRAMES - 1,
    });
    expect(propagated.status).toBe(200);
    const p1 = (await propagated.json()) as Record<string, unknown>;
    expect(p1).toMatchObject({
      success: true,
      status: 'finished',
      obj_ids: [1],
      frames_processed: FRAMES - 1,
    });
    for (let f = 1; f < FRAMES; f++) {
      expect(maskIoU(await discMaskOn(sid, f, 1), disc.masks[f]!), `frame ${f}`).toBeGreaterThan(0.8);
    }
    await watcher.waitFor(
      (p) => new Set(p.of('mask:updated').map((m) => m.frame)).size === FRAMES,
      'every propagated mask',
    );

    // Refine frame 4 with a second click: added to the frame's points (it becomes a prompted frame).
    const click4 = interiorPoint(disc.masks[4]!, scene.width);
    const refined = await post(`/refine-mask/${sid}`, {
      frame_idx: 4,
      points: [{ x: click4.x + 2, y: click4.y + 2, label: 1 }],
      obj_id: 1,
    });
    expect(refined.status).toBe(200);
    const r = (await refined.json()) as { mask: SeedMask; points_count: number; obj_id: number };
    expect(r.obj_id).toBe(1);
    expect(r.points_count).toBe(1);
    expect(iouOfRle(r.mask, disc.masks[4]!)).toBeGreaterThan(0.8);
    const refinedAgain = await post(`/refine-mask/${sid}`, {
      frame_idx: 4,
      points: [{ x: click4.x - 2, y: click4.y, label: 1 }],
    });
    const r2 = (await refinedAgain.json()) as { mask: SeedMask; points_count: number };
    expect(r2.points_count).toBe(2);
    expect(iouOfRle(r2.mask, disc.masks[4]!)).toBeGreaterThan(0.8);

    // Re-propagate from the refined frame on: the later frames are recomputed from it.
    const again = await post(`/propagate/${sid}`, { session_id: sid, start_frame: 4, end_frame: FRAMES - 1 });
    const p2 = (await again.json()) as Record<string, unknown>;
    expect(p2).toMatchObject({
      success: true,
      status: 'finished',
      start_frame: 4,
      frames_processed: FRAMES - 5,
    });
    for (let f = 5; f < FRAMES; f++) {
      expect(maskIoU(await discMaskOn(sid, f, 1), disc.masks[f]!), `frame ${f}`).toBeGreaterThan(0.8);
    }

    // Overlay: the frame's size, the disc blended towards its object's colour (made green through
    // the v1 API, which acts on the same session), the rest untouched.
    const recolour = await fetch(`${server.url}/api/v1/sessions/${sid}/objects/1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ color: '#00ff00' }),
    });
    expect(recolour.status).toBe(200);
    const overlay = await fetch(`${server.url}/overlay/${sid}/5`);
    expect(overlay.status).toBe(200);
    expect(overlay.headers.get('content-type')).toBe('image/jpeg');
    const { data, info } = await sharp(Buffer.from(await overlay.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([scene.width, scene.height, 3]);
    const plain = scene.frames[5]!.data;
    /** Mean change of channel `c` inside (or outside) the disc, overlay minus frame. */
    const meanChange = (inside: boolean, c: number) => {
      let sum = 0;
      let n = 0;
      const truth = disc.masks[5]!;
      for (let p = 0; p < truth.length; p++) {
        if ((truth[p] === 1) !== inside) continue;
        sum += data[3 * p + c]! - plain[3 * p + c]!;
        n += 1;
      }
      return sum / n;
    };
    expect(meanChange(true, 1)).toBeGreaterThan(60);
    for (let c = 0; c < 3; c++) expect(Math.abs(meanChange(false, c))).toBeLessThan(4);

    // Export: an MP4 with every frame, at the video's size.
    const exported = await fetch(`${server.url}/export/${sid}`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toBe('video/mp4');
    const out = join(work.dir, 'export.mp4');
    await writeFile(out, Buffer.from(await exported.arrayBuffer()));
    expect(await ffprobeCount(out)).toEqual({ frames: FRAMES, width: scene.width, height: scene.height });
  });

  it("annotate replaces the frame's points; obj_id picks or creates objects; bad input is a precise 4xx problem", async () => {
    const sid = (await uploadVideo()).session_id as string;
    const disc0 = interiorPoint(disc.masks[0]!, scene.width);
    const tri = sceneObject(scene, SCENE_IDS.triangle);
    const tri0 = interiorPoint(tri.masks[0]!, scene.width);

    const first = (await (
      await post(`/annotate-frame/${sid}`, { frame_idx: 0, points: [{ ...disc0, label: 1 }] })
    ).json()) as Record<string, unknown>;
    expect(first.obj_id).toBe(1);
    // The same object again, other points: they replace the earlier ones.
    const second = (await (
      await post(`/annotate-frame/${sid}`, { frame_idx: 0, points: [{ ...tri0, label: 1 }], obj_id: 1 })
    ).json()) as { points_count: number; mask: SeedMask };
    expect(second.points_count).toBe(1);
    expect(iouOfRle(second.mask, tri.masks[0]!)).toBeGreaterThan(0.9);
    // The next free id creates the object.
    const created = (await (
      await post(`/annotate-frame/${sid}`, { frame_idx: 0, points: [{ ...disc0, label: 1 }], obj_id: 2 })
    ).json()) as { obj_id: number; mask: SeedMask };
    expect(created.obj_id).toBe(2);
    expect(iouOfRle(created.mask, disc.masks[0]!)).toBeGreaterThan(0.9);

    const cases: Array<[string, unknown, number, string]> = [
      [
        `/annotate-frame/${sid}`,
        { frame_idx: 0, points: [{ ...disc0, label: 1 }], obj_id: 9 },
        404,
        'NOT_FOUND',
      ],
      [
        `/annotate-frame/${sid}`,
        { frame_idx: FRAMES, points: [{ ...disc0, label: 1 }] },
        400,
        'INVALID_INPUT',
      ],
      [`/annotate-frame/${sid}`, { frame_idx: 1.5, points: [{ ...disc0, label: 1 }] }, 400, 'INVALID_INPUT'],
      [`/annotate-frame/${sid}`, { frame_idx: 0, points: [[10, 10]] }, 400, 'INVALID_INPUT'],
      [`/annotate-frame/${sid}`, { frame_idx: 0, points: [] }, 400, 'INVALID_INPUT'],
      [
        `/annotate-frame/${sid}`,
        { frame_idx: 0, points: [{ x: 9999, y: 5, label: 1 }] },
        400,
        'INVALID_INPUT',
      ],
      [`/annotate-frame/nosuchsession`, { frame_idx: 0, points: [{ ...disc0, label: 1 }] }, 404, 'NOT_FOUND'],
      [`/propagate/${sid}`, { start_frame: 0, end_frame: FRAMES + 3 }, 400, 'INVALID_INPUT'],
      [`/propagate/${sid}`, { session_id: 'another', start_frame: 0 }, 400, 'INVALID_INPUT'],
      [`/propagate/${sid}`, { start_frame: 0, obj_id: 42 }, 404, 'NOT_FOUND'],
      [`/refine-mask/${sid}`, { frame_idx: -1, points: [{ ...disc0, label: 1 }] }, 400, 'INVALID_INPUT'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await post(path, body);
      const problem = await problemOf(res);
      expect([res.status, problem.code], `${path} ${JSON.stringify(body)}: ${problem.detail}`).toEqual([
        status,
        code,
      ]);
    }
    const notJson = await fetch(`${server.url}/annotate-frame/${sid}`, {
      method: 'POST',
      body: 'frame_idx=0',
    });
    expect([notJson.status, (await problemOf(notJson)).code]).toEqual([415, 'UNSUPPORTED_MEDIA']);
    for (const path of [
      `/frame/${sid}/${FRAMES}`,
      `/overlay/${sid}/${FRAMES}`,
      `/overlay/nosuch/0`,
      `/export/nosuch`,
    ]) {
      const res = await fetch(`${server.url}${path}`);
      expect([res.status, (await problemOf(res)).code], path).toEqual([404, 'NOT_FOUND']);
    }
    for (const path of [`/frame/${sid}/x`, `/overlay/${sid}/1.5`, `/overlay/${sid}/-1`]) {
      const res = await fetch(`${server.url}${path}`);
      expect([res.status, (await problemOf(res)).code], path).toEqual([400, 'INVALID_INPUT']);
    }
    const noFile = await fetch(`${server.url}/upload-video`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([noFile.status, (await problemOf(noFile)).code]).toEqual([415, 'UNSUPPORTED_MEDIA']);
  });

  it('CORS for the seed routes follows CORS_ORIGINS (the seed frontend on another origin)', async () => {
    const front = 'http://localhost:3000';
    const dir = await tempDataDir();
    const cors = await startServer(dir.dir, { CORS_ORIGINS: front });
    try {
      const preflight = await fetch(`${cors.base}/annotate-frame/abc`, {
        method: 'OPTIONS',
        headers: {
          origin: front,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(front);
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      const missing = await fetch(`${cors.base}/frame/abc/0`, { headers: { origin: front } });
      expect([missing.status, missing.headers.get('access-control-allow-origin')]).toEqual([404, front]);
      const other = await fetch(`${cors.base}/frame/abc/0`, {
        headers: { origin: 'http://elsewhere.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await cors.close();
      await dir.remove();
    }
  });
});
