/**
 * The exports REST routes on a real HTTP server (port 0) with the app's problem and JSON
 * middleware: list formats, start a job, follow it, download the file, cancel and remove.
 */

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportJobs, type ExportJobView, exportsRouter, sessionOpener } from '../src/export/index.ts';
import type { AppState } from '../src/http/context.ts';
import { jsonBody } from '../src/http/middleware/json-body.ts';
import { problems } from '../src/http/middleware/problems.ts';
import { requestId } from '../src/http/middleware/request-id.ts';
import { writeMeta } from '../src/ingest/session-meta.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FileBlobArea } from '../src/storage/blob-area.ts';
import { sessionStateOf } from './export-harness.ts';
import { makeScene } from './support/synthetic.ts';
import { writeSceneFrames } from './support/synthetic-video.ts';

const SESSION = 'clip1';
let root: string;
let server: Server;
let base: string;
let jobs: ExportJobs;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'roto-export-http-'));
  const blobs = new FileBlobArea((id) => join(root, id));
  await mkdir(join(root, SESSION));
  const scene = makeScene({ frames: 6 });
  await writeSceneFrames(scene, dirname(await blobs.prepare(SESSION, 'frames/00000.jpg')));
  const state = sessionStateOf(scene);
  await writeMeta(blobs, SESSION, {
    version: 1,
    createdAt: new Date().toISOString(),
    source: { kind: 'upload', fileName: 'Café – night.mp4' },
    container: 'mp4',
    media: state.media,
    status: 'ready',
  } as Parameters<typeof writeMeta>[2]);
  jobs = new ExportJobs({ blobs, openSession: sessionOpener({ getOrLoad: async () => ({ state }) }, blobs) });
  const app = new Koa<AppState>();
  app.use(requestId(createLogger({ level: 'error', write: () => {} })));
  app.use(problems());
  app.use(jsonBody(64 * 1024));
  const router = exportsRouter({ jobs });
  app.use(router.routes());
  app.use(router.allowedMethods());
  server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  await jobs.close();
  await new Promise((r) => server.close(r));
  await rm(root, { recursive: true, force: true });
});

const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function finished(jobId: string): Promise<ExportJobView> {
  return jobs.settled(jobId);
}

describe('exports REST API', () => {
  it('lists the formats with their session kinds', async () => {
    const res = await fetch(`${base}/export-formats`);
    const body = (await res.json()) as { formats: Array<{ id: string; kinds: string[] }> };
    expect(body.formats.find((f) => f.id === 'cutout-png')?.kinds).toEqual(['image']);
    expect(body.formats.map((f) => f.id)).toContain('ytvis-json');
  });

  it('starts a job, reports it and serves the file as an attachment', async () => {
    const res = await post(`/sessions/${SESSION}/exports`, { format: 'yolo-seg-zip', objectIds: [1, 3] });
    expect(res.status).toBe(202);
    const job = (await res.json()) as ExportJobView;
    expect(res.headers.get('location')).toBe(`/api/v1/sessions/${SESSION}/exports/${job.jobId}`);
    await finished(job.jobId);
    const view = (await (
      await fetch(`${base}/sessions/${SESSION}/exports/${job.jobId}`)
    ).json()) as ExportJobView;
    expect(view.status).toMatchObject({
      state: 'finished',
      file: { fileName: 'cafe-night-yolo-seg.zip', mime: 'application/zip' },
    });
    const list = (await (await fetch(`${base}/sessions/${SESSION}/exports`)).json()) as {
      exports: ExportJobView[];
    };
    expect(list.exports.map((j) => j.jobId)).toContain(job.jobId);

    const file = await fetch(`${base}/sessions/${SESSION}/exports/${job.jobId}/file`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/zip');
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="cafe-night-yolo-seg.zip"; filename*=UTF-8''cafe-night-yolo-seg.zip`,
    );
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    expect(bytes.length).toBe(view.status.state === 'finished' ? view.status.file.bytes : -1);

    const del = await fetch(`${base}/sessions/${SESSION}/exports/${job.jobId}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    const gone = await fetch(`${base}/sessions/${SESSION}/exports/${job.jobId}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { code: string }).code).toBe('NOT_FOUND');
  });

  it('answers problems with precise codes', async () => {
    const bad = await post(`/sessions/${SESSION}/exports`, { format: 'coco-json', objectIds: 'all' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('INVALID_INPUT');
    const unknown = await post(`/sessions/${SESSION}/exports`, { format: 'gif' });
    expect(unknown.status).toBe(404);
    const wrongKind = await post(`/sessions/${SESSION}/exports`, { format: 'cutout-png' });
    expect(wrongKind.status).toBe(400);
    expect(((await wrongKind.json()) as { detail: string }).detail).toBe(
      'The Cut-out (transparent PNG) export is for image sessions, not video sessions',
    );
  });

  it('cancels a running job, whose file is then a CONFLICT', async () => {
    const res = await post(`/sessions/${SESSION}/exports`, { format: 'cutout-png-zip' });
    const job = (await res.json()) as ExportJobView;
    const del = await fetch(`${base}/sessions/${SESSION}/exports/${job.jobId}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await finished(job.jobId)).status).toEqual({
      state: 'cancelled',
      reason: 'cancelled by request',
    });
    const file = await fetch(`${base}/sessions/${SESSION}/exports/${job.jobId}/file`);
    expect(file.status).toBe(409);
    expect(((await file.json()) as { code: string }).code).toBe('CONFLICT');
  });
});
