/**
 * The REST API v1 for programs, with a plain HTTP client on a real server (real engine on the test
 * pack, sessions from a synthetic scene): prompts, objects, propagation jobs, frame masks as COCO
 * RLE and PNG, idempotent retries, and the same session watched over Socket.IO. Every bad input a
 * program can send answers a precise 4xx problem document.
 */
import { decodeCocoRle, decodeMask } from '@roto/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FileSessionStore } from '../src/storage/file-session-store.ts';
import { problemOf } from './http-sessions-harness.ts';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession, Participant, tempDataDir } from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const FRAMES = 6;
const scene = makeScene({ frames: FRAMES });
const disc = sceneObject(scene, SCENE_IDS.disc);
const triangle = sceneObject(scene, SCENE_IDS.triangle);

const rt = useRealtimeServer();

type Json = Record<string, unknown>;
type RleMask = {
  objectId: number;
  frame: number;
  size: [number, number];
  counts: string;
  area: number;
  bbox: number[];
};

function api(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  return fetch(`${rt.server.url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
      : {}),
  });
}

async function ok<T = Json>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

function click(obj: { masks: Uint8Array[] }, frame: number) {
  return { ...interiorPoint(obj.masks[frame]!, scene.width), label: 1 as const };
}

async function waitForJob(sid: string, jobId: string): Promise<Json> {
  for (;;) {
    const job = await ok(await api(`/sessions/${sid}/jobs/${jobId}`));
    if (job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('REST API v1', () => {
  let sid: string;

  beforeAll(async () => {
    sid = await createSceneSession(rt.server.store, scene);
  });

  it('a click answers the mask as COCO RLE; a Socket.IO participant receives the same mask; a retried Idempotency-Key answers once', async () => {
    const watcher = new Participant(rt.server.url);
    rt.clients.push(watcher);
    await watcher.join(sid, { name: 'watcher' });

    const headers = { 'Idempotency-Key': 'click-disc-0' };
    const body = { frame: 0, points: [click(disc, 0)] };
    const first = await ok<{ seq: number; objectId: number; frame: number; mask: RleMask }>(
      await api(`/sessions/${sid}/prompts`, { method: 'POST', body, headers }),
    );
    expect(first).toMatchObject({ objectId: 1, frame: 0 });
    expect(first.mask.size).toEqual([scene.height, scene.width]);
    const pixels = decodeCocoRle(first.mask).mask;
    expect(maskIoU(pixels, disc.masks[0]!)).toBeGreaterThan(0.9);
    expect(first.mask.area).toBe(pixels.reduce((s, v) => s + v, 0));

    await watcher.waitFor((p) => p.of('mask:updated').length > 0, 'the mask fact');
    expect(decodeMask(watcher.of('mask:updated')[0]!.mask).mask).toEqual(pixels);

    const retry = await ok<{ seq: number; objectId: number }>(
      await api(`/sessions/${sid}/prompts`, { method: 'POST', body, headers }),
    );
    expect(retry.seq).toBe(first.seq);
    const { objects } = await ok<{ objects: Json[] }>(await api(`/sessions/${sid}/objects`));
    expect(objects).toEqual([{ id: 1, name: 'Object 1', color: expect.stringMatching(/^#[0-9a-f]{6}$/) }]);
  });

  it('objects: create (201 + Location), read, rename and recolour, delete', async () => {
    const created = await api(`/sessions/${sid}/objects`, { method: 'POST', body: { name: 'Triangle' } });
    const ack = await ok<{ object: { id: number } }>(created, 201);
    const id = ack.object.id;
    expect(created.headers.get('location')).toBe(`/api/v1/sessions/${sid}/objects/${id}`);
    expect(await ok(await api(`/sessions/${sid}/objects/${id}`))).toMatchObject({ id, name: 'Triangle' });
    const patched = await ok<{ object: Json }>(
      await api(`/sessions/${sid}/objects/${id}`, {
        method: 'PATCH',
        body: { name: 'Tri', color: '#00FF00' },
      }),
    );
    expect(patched.object).toEqual({ id, name: 'Tri', color: '#00ff00' });
    await ok(await api(`/sessions/${sid}/objects/${id}`, { method: 'DELETE' }));
    const gone = await api(`/sessions/${sid}/objects/${id}`);
    expect([gone.status, (await problemOf(gone)).code]).toEqual([404, 'NOT_FOUND']);
  });

  it('propagation: 202 with a job, progress to the end, masks per frame as RLE and PNG', async () => {
    const tri = await ok<{ objectId: number }>(
      await api(`/sessions/${sid}/prompts`, {
        method: 'POST',
        body: { frame: 0, points: [click(triangle, 0)] },
      }),
    );
    const started = await api(`/sessions/${sid}/propagations`, {
      method: 'POST',
      body: { direction: 'forward' },
    });
    const { jobId } = await ok<{ jobId: string }>(started, 202);
    expect(started.headers.get('location')).toBe(`/api/v1/sessions/${sid}/jobs/${jobId}`);
    const job = await waitForJob(sid, jobId);
    expect(job).toMatchObject({
      status: 'finished',
      job: { jobId, direction: 'forward', objectIds: [1, tri.objectId], startedBy: 'REST API' },
      progress: { done: 2 * (FRAMES - 1), total: 2 * (FRAMES - 1) },
    });
    const { jobs } = await ok<{ jobs: Json[] }>(await api(`/sessions/${sid}/jobs`));
    expect(jobs.map((j) => j.jobId)).toContain(jobId);

    for (let f = 1; f < FRAMES; f++) {
      const frame = await ok<{ masks: RleMask[]; width: number }>(
        await api(`/sessions/${sid}/frames/${f}/masks`),
      );
      expect(frame.masks.map((m) => m.objectId)).toEqual([1, tri.objectId]);
      expect(maskIoU(decodeCocoRle(frame.masks[0]!).mask, disc.masks[f]!), `disc ${f}`).toBeGreaterThan(0.8);
      expect(maskIoU(decodeCocoRle(frame.masks[1]!).mask, triangle.masks[f]!), `tri ${f}`).toBeGreaterThan(
        0.8,
      );
    }

    // One object: grayscale 0/255.
    const gray = await api(`/sessions/${sid}/frames/3/masks?format=png&objectId=1`);
    expect(gray.headers.get('content-type')).toBe('image/png');
    const grayPng = Buffer.from(await gray.arrayBuffer());
    const grayMeta = await sharp(grayPng).metadata();
    expect([grayMeta.width, grayMeta.height, grayMeta.channels]).toEqual([scene.width, scene.height, 1]);
    const g = await sharp(grayPng).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(new Set(g.data)).toEqual(new Set([0, 255]));
    expect(
      maskIoU(
        Uint8Array.from(g.data, (v) => (v ? 1 : 0)),
        disc.masks[3]!,
      ),
    ).toBeGreaterThan(0.8);

    // Every object: an indexed PNG, palette entry k the k-th object's colour.
    const indexed = Buffer.from(
      await (await api(`/sessions/${sid}/frames/3/masks?format=png`)).arrayBuffer(),
    );
    const meta = await sharp(indexed).metadata();
    expect([meta.width, meta.height, meta.isPalette]).toEqual([scene.width, scene.height, true]);
    const { objects } = await ok<{ objects: Array<{ id: number; color: string }> }>(
      await api(`/sessions/${sid}/objects`),
    );
    const rgb = await sharp(indexed).removeAlpha().raw().toBuffer();
    const colourAt = (mask: Uint8Array) => {
      const { x, y } = interiorPoint(mask, scene.width);
      const p = 3 * (Math.round(y) * scene.width + Math.round(x));
      return `#${[rgb[p]!, rgb[p + 1]!, rgb[p + 2]!].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    };
    expect(colourAt(disc.masks[3]!)).toBe(objects[0]!.color);
    expect(colourAt(triangle.masks[3]!)).toBe(objects[1]!.color);
  });

  it('clearing prompts removes the mask of that frame', async () => {
    await ok(await api(`/sessions/${sid}/prompts?frame=0&objectId=1`, { method: 'DELETE' }));
    const frame0 = await ok<{ masks: RleMask[] }>(await api(`/sessions/${sid}/frames/0/masks?objectId=1`));
    expect(frame0.masks).toEqual([]);
  });

  it('a running job is cancelled by POST …/cancel; cancelling an ended job is CONFLICT', async () => {
    const other = await createSceneSession(rt.server.store, scene);
    await ok(
      await api(`/sessions/${other}/prompts`, {
        method: 'POST',
        body: { frame: 0, points: [click(disc, 0)] },
      }),
    );
    // Hold the GPU lane so the job cannot take a step before it is cancelled.
    let release = () => {};
    const held = rt.server.app.lane.run({
      priority: 'interactive',
      label: 'test: hold the lane',
      fn: () => new Promise<void>((resolve) => (release = resolve)),
    });
    const { jobId } = await ok<{ jobId: string }>(
      await api(`/sessions/${other}/propagations`, { method: 'POST', body: {} }),
      202,
    );
    const running = await ok(await api(`/sessions/${other}/jobs/${jobId}`));
    expect(running).toMatchObject({ status: 'running', progress: { done: 0, total: FRAMES - 1 } });
    expect(await ok(await api(`/sessions/${other}/jobs/${jobId}/cancel`, { method: 'POST' }), 202)).toEqual({
      jobId,
    });
    release();
    await held;
    expect(await waitForJob(other, jobId)).toMatchObject({
      status: 'cancelled',
      reason: 'cancelled by REST API',
      progress: { done: 0 },
    });
    const again = await api(`/sessions/${other}/jobs/${jobId}/cancel`, { method: 'POST' });
    expect([again.status, (await problemOf(again)).code]).toEqual([409, 'CONFLICT']);
  });

  it('every bad input is a precise 4xx problem, never a 5xx', async () => {
    const S = `/sessions/${sid}`;
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/sessions/nosuchsession/prompts', { frame: 0, points: [click(disc, 0)] }, 404, 'NOT_FOUND'],
      ['GET', '/sessions/nosuchsession/objects', undefined, 404, 'NOT_FOUND'],
      ['GET', '/sessions/bad.id/objects', undefined, 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, { frame: FRAMES, points: [click(disc, 0)] }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, { frame: 1.5, points: [click(disc, 0)] }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, { frame: '0', points: [click(disc, 0)] }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, { frame: 0, points: [[10, 20]] }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, { frame: 0, points: [{ x: 10, y: 20, label: 7 }] }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, { frame: 0, points: 'here' }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, { frame: 0, points: [] }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, { frame: 0, points: [{ x: -5, y: 20, label: 1 }] }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, { frame: 0, objectId: 99, points: [click(disc, 0)] }, 404, 'NOT_FOUND'],
      ['POST', `${S}/prompts`, [1, 2], 400, 'INVALID_INPUT'],
      ['POST', `${S}/prompts`, '{"frame": 0,', 400, 'INVALID_INPUT'],
      ['DELETE', `${S}/prompts?objectId=1`, undefined, 400, 'INVALID_INPUT'],
      ['DELETE', `${S}/prompts?frame=x&objectId=1`, undefined, 400, 'INVALID_INPUT'],
      ['DELETE', `${S}/prompts?frame=0&objectId=0`, undefined, 400, 'INVALID_INPUT'],
      ['DELETE', `${S}/prompts?frame=4&objectId=1`, undefined, 404, 'NOT_FOUND'],
      ['GET', `${S}/objects/abc`, undefined, 400, 'INVALID_INPUT'],
      ['GET', `${S}/objects/77`, undefined, 404, 'NOT_FOUND'],
      ['PATCH', `${S}/objects/1`, { color: 'red' }, 400, 'INVALID_INPUT'],
      ['PATCH', `${S}/objects/1`, { name: '' }, 400, 'INVALID_INPUT'],
      ['DELETE', `${S}/objects/77`, undefined, 404, 'NOT_FOUND'],
      ['POST', `${S}/propagations`, { direction: 'sideways' }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/propagations`, { range: { from: 4, to: 2 } }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/propagations`, { range: { from: 0, to: FRAMES } }, 400, 'INVALID_INPUT'],
      ['POST', `${S}/propagations`, { objectIds: [42] }, 404, 'NOT_FOUND'],
      ['GET', `${S}/jobs/no-such-job`, undefined, 404, 'NOT_FOUND'],
      ['POST', `${S}/jobs/no-such-job/cancel`, undefined, 404, 'NOT_FOUND'],
      ['GET', `${S}/frames/${FRAMES}/masks`, undefined, 404, 'NOT_FOUND'],
      ['GET', `${S}/frames/-1/masks`, undefined, 400, 'INVALID_INPUT'],
      ['GET', `${S}/frames/1.5/masks`, undefined, 400, 'INVALID_INPUT'],
      ['GET', `${S}/frames/0/masks?format=gif`, undefined, 400, 'INVALID_INPUT'],
      ['GET', `${S}/frames/0/masks?objectId=-2`, undefined, 400, 'INVALID_INPUT'],
      ['GET', `${S}/frames/0/masks?objectId=88`, undefined, 404, 'NOT_FOUND'],
      ['PUT', `${S}/objects`, {}, 405, 'INVALID_INPUT'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const res = await api(path, { method, body });
      const problem = await problemOf(res);
      expect(
        [res.status, problem.code],
        `${method} ${path} ${JSON.stringify(body)}: ${problem.detail}`,
      ).toEqual([status, code]);
    }
    const form = await api(`${S}/prompts`, {
      method: 'POST',
      body: 'frame=0',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([form.status, (await problemOf(form)).code]).toEqual([415, 'UNSUPPORTED_MEDIA']);
    const longKey = await api(`${S}/objects`, {
      method: 'POST',
      body: {},
      headers: { 'Idempotency-Key': 'k'.repeat(101) },
    });
    const longProblem = await problemOf(longKey);
    expect([longKey.status, longProblem.code]).toEqual([400, 'INVALID_INPUT']);
    expect(longProblem.detail).toContain('Idempotency-Key');
    const fresh = await createSceneSession(rt.server.store, scene);
    const nothing = await api(`/sessions/${fresh}/propagations`, { method: 'POST' });
    expect([nothing.status, (await problemOf(nothing)).detail]).toEqual([
      400,
      'Add a prompt to an object before propagating',
    ]);
  });
});

describe('REST API v1 with AUTH_MODE=token', () => {
  let app: App;
  let url: string;
  let store: FileSessionStore;
  let dir: { dir: string; remove: () => Promise<void> };
  let sid: string;

  beforeAll(async () => {
    dir = await tempDataDir();
    const config = loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dir.dir,
      LOG_LEVEL: 'silent',
      AUTH_MODE: 'token',
    });
    store = new FileSessionStore({ dataDir: dir.dir });
    app = createApp({ config, engine: rt.engine, store, logger: createLogger({ level: 'silent' }) });
    url = `http://127.0.0.1:${(await app.listen()).port}`;
    sid = await createSceneSession(store, scene);
  });

  afterAll(async () => {
    await app.close({ graceMs: 100 });
    await store.closeAll();
    await dir.remove();
  });

  function call(path: string, token: string | undefined, body?: unknown) {
    return fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  it('a viewer link reads but cannot add prompts (FORBIDDEN); no token is UNAUTHORIZED; an editor link edits', async () => {
    const viewer = (await app.access!.links.create(sid, 'viewer')).token;
    const editor = (await app.access!.links.create(sid, 'editor')).token;
    const prompt = { frame: 0, points: [click(disc, 0)] };
    const S = `/api/v1/sessions/${sid}`;

    const refused = await call(`${S}/prompts`, viewer, prompt);
    expect([refused.status, (await problemOf(refused)).code]).toEqual([403, 'FORBIDDEN']);
    expect((await call(`${S}/objects`, viewer)).status).toBe(200);
    for (const [path, body] of [
      [`${S}/objects`, undefined],
      [`${S}/prompts`, prompt],
      [`/overlay/${sid}/0`, undefined],
    ] as const) {
      const anonymous = await call(path, undefined, body);
      expect([anonymous.status, (await problemOf(anonymous)).code], path).toEqual([401, 'UNAUTHORIZED']);
    }
    const forged = await call(`${S}/prompts`, 'not-a-token', prompt);
    expect([forged.status, (await problemOf(forged)).code]).toEqual([401, 'UNAUTHORIZED']);
    const edited = await ok<{ objectId: number }>(await call(`${S}/prompts`, editor, prompt));
    expect(edited.objectId).toBe(1);
    // The seed routes resolve the caller the same way (a token as ?token= where no header can be set).
    expect((await fetch(`${url}/overlay/${sid}/0?token=${encodeURIComponent(viewer)}`)).status).toBe(200);
  });
});
