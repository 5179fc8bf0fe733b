/**
 * Export jobs over a real session document (SessionState fed with the same facts the session
 * layer stores) and a real blob area: the export sees the masks as they were when it started,
 * runs in turn, reports progress, can be cancelled queued or running, and serves its file.
 */
import { access, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type CocoRle, decodeCocoRle, encodeMask } from '@roto/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportJobs, type ExportJobView, sessionExportSource, sessionOpener } from '../src/export/index.ts';
import { writeMeta } from '../src/ingest/session-meta.ts';
import type { SessionState } from '../src/sessions/state.ts';
import { FileBlobArea } from '../src/storage/blob-area.ts';
import { readJson, sessionStateOf } from './export-harness.ts';
import { makeScene, type Scene } from './support/synthetic.ts';
import { writeSceneFrames } from './support/synthetic-video.ts';

const SESSION = 'sess1';
let root: string;
let blobs: FileBlobArea;
let scene: Scene;
let state: SessionState;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'roto-export-jobs-'));
  blobs = new FileBlobArea((id) => join(root, id));
  await mkdir(join(root, SESSION));
  scene = makeScene({ frames: 8 });
  await writeSceneFrames(scene, dirname(await blobs.prepare(SESSION, 'frames/00000.jpg')));
  state = sessionStateOf(scene);
  await writeMeta(blobs, SESSION, {
    version: 1,
    createdAt: new Date().toISOString(),
    source: { kind: 'upload', fileName: 'Street scene.mp4' },
    container: 'mp4',
    media: state.media,
    status: 'ready',
  } as Parameters<typeof writeMeta>[2]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function jobs(
  options: { maxRunning?: number; maxQueued?: number; events?: ExportJobView[] } = {},
): ExportJobs {
  return new ExportJobs({
    blobs,
    openSession: sessionOpener({ getOrLoad: async () => ({ state }) }, blobs),
    ...(options.maxRunning ? { maxRunning: options.maxRunning } : {}),
    ...(options.maxQueued !== undefined ? { maxQueued: options.maxQueued } : {}),
    ...(options.events ? { onChange: (j: ExportJobView) => options.events!.push(j) } : {}),
  });
}

describe('session export source', () => {
  it('snapshots the masks when it is made and leaves out masks marked absent', () => {
    const st = sessionStateOf(scene);
    st.apply({
      type: 'mask:updated',
      seq: 1000,
      objectId: 2,
      frame: 3,
      version: 2,
      mask: encodeMask(new Uint8Array(320 * 240), 320, 240),
      present: false,
      source: 'propagation',
    });
    const source = sessionExportSource(st, { framesDir: '/f' });
    // A later edit does not reach an export already under way.
    st.apply({ type: 'masks:removed', seq: 1001, objectId: 1, frames: [0] });
    const m0 = source.masks(0) as Map<number, Uint8Array>;
    expect([...m0.get(1)!]).toEqual([...scene.objects[0]!.masks[0]!]);
    expect((source.masks(3) as Map<number, Uint8Array>).has(2)).toBe(false);
    expect(source.framePath(7)).toBe('/f/00007.jpg');
    expect(source.objects.map((o) => o.id)).toEqual([1, 2, 3]);
  });
});

describe('export jobs', () => {
  it('runs a COCO export of the session and serves the file, named after the upload', async () => {
    const events: ExportJobView[] = [];
    const service = jobs({ events });
    const started = await service.start(SESSION, 'coco-json', { objectIds: [2] });
    expect(started.status.state).toBe('queued');
    const ended = await service.settled(started.jobId);
    expect(ended.status).toMatchObject({
      state: 'finished',
      file: { mime: 'application/json', fileName: 'street-scene-coco.json' },
    });
    expect(events.map((e) => e.status.state)).toEqual(
      expect.arrayContaining(['queued', 'running', 'finished']),
    );
    const file = service.file(started.jobId);
    expect(file.path).toBe(await blobs.prepare(SESSION, `exports/${started.jobId}.json`));
    const coco = await readJson<{
      annotations: Array<{ image_id: number; category_id: number; segmentation: CocoRle }>;
    }>(file.path);
    expect(coco.annotations).toHaveLength(8);
    for (const a of coco.annotations) {
      expect(a.category_id).toBe(2);
      expect([...decodeCocoRle(a.segmentation).mask]).toEqual([...scene.objects[1]!.masks[a.image_id - 1]!]);
    }
    expect(service.list(SESSION).map((j) => j.jobId)).toEqual([started.jobId]);
    await service.remove(started.jobId);
    await expect(access(file.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('runs one at a time; a queued job cancelled leaves the queue, a running one leaves no file', async () => {
    const service = jobs({ maxRunning: 1 });
    const first = await service.start(SESSION, 'overlay-mp4');
    const second = await service.start(SESSION, 'davis-png-zip');
    expect(service.get(second.jobId).status.state).toBe('queued');
    service.cancel(second.jobId, 'changed my mind');
    service.cancel(first.jobId);
    expect((await service.settled(second.jobId)).status).toEqual({
      state: 'cancelled',
      reason: 'changed my mind',
    });
    expect((await service.settled(first.jobId)).status.state).toBe('cancelled');
    expect(() => service.file(first.jobId)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    const exportsDir = dirname(await blobs.prepare(SESSION, 'exports/x'));
    expect((await readdir(exportsDir)).filter((n) => n.includes(first.jobId))).toEqual([]);
    // The slot was given back: a new export still runs.
    const third = await service.start(SESSION, 'yolo-seg-zip');
    expect((await service.settled(third.jobId)).status.state).toBe('finished');
  });

  it('keeps a bounded number of ended jobs, removing the oldest with their files', async () => {
    const service = new ExportJobs({
      blobs,
      openSession: sessionOpener({ getOrLoad: async () => ({ state }) }, blobs),
      keepEnded: 1,
    });
    const a = await service.start(SESSION, 'coco-json');
    await service.settled(a.jobId);
    const aPath = service.file(a.jobId).path;
    const b = await service.start(SESSION, 'ytvis-json');
    await service.settled(b.jobId);
    await expect(access(aPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(service.list(SESSION).map((j) => j.jobId)).toEqual([b.jobId]);
  });

  it('answers a full queue with BUSY', async () => {
    const service = jobs({ maxRunning: 1, maxQueued: 1 });
    const a = await service.start(SESSION, 'mask-mp4');
    const b = await service.start(SESSION, 'overlay-mp4');
    await expect(service.start(SESSION, 'cutout-webm')).rejects.toMatchObject({ code: 'BUSY' });
    // The same export as one already queued is that job, not one more in the queue.
    expect(await service.start(SESSION, 'overlay-mp4')).toMatchObject({ jobId: b.jobId, reused: true });
    await service.close();
    expect(service.get(a.jobId).status.state).toBe('cancelled');
    expect(service.get(b.jobId).status.state).toBe('cancelled');
  });

  it('refuses unknown formats and objects, and formats for the other session kind', async () => {
    const service = jobs();
    await expect(service.start(SESSION, 'bmp')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.start(SESSION, 'coco-json', { objectIds: [9] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(service.start(SESSION, 'mask-png')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'The Mask (PNG) export is for image sessions, not video sessions',
    });
    expect(() => service.get('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
