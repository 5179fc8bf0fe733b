/**
 * Exports in the running server (`createApp` on port 0, real engine on the test pack, real
 * socket.io-client participants, real ffmpeg): a second participant sees the export progress and
 * end while the first starts it; the download is an attachment with an ETag (304) and byte ranges
 * (206, 416); the same request on an unchanged session reuses the file, a new click makes a new
 * one; no masks is CONFLICT, a viewer is FORBIDDEN, a failed export's download is CONFLICT with
 * its reason, a download cut short leaves the server fine, and closing the app mid-export leaves
 * no file behind.
 */

import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import {
  type CocoRle,
  decodeCocoRle,
  type ExportFinishedFact,
  type ExportJob,
  type ExportNoticeFact,
  type ExportProgressedFact,
  type PromptAddAck,
  type StartExportResponse,
} from '@roto/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession, Participant } from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const scene = makeScene({ frames: 8 });
const disc = sceneObject(scene, SCENE_IDS.disc);

const rt = useRealtimeServer();

/** A participant that also records the export notices it receives. */
function participant(): Participant & { notices: ExportNoticeFact[] } {
  const p = Object.assign(new Participant(rt.server.url), { notices: [] as ExportNoticeFact[] });
  for (const type of [
    'export:started',
    'export:progressed',
    'export:finished',
    'export:failed',
    'export:cancelled',
  ])
    p.socket.on(type, (n: ExportNoticeFact) => p.notices.push(n));
  rt.clients.push(p);
  return p;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const api = (path: string, init: RequestInit = {}) => fetch(`${rt.server.url}/api/v1${path}`, init);

function startExport(sessionId: string, body: unknown, token?: string): Promise<Response> {
  return api(`/sessions/${sessionId}/exports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function settled(sessionId: string, jobId: string): Promise<ExportJob> {
  for (;;) {
    const job = (await (await api(`/sessions/${sessionId}/exports/${jobId}`)).json()) as ExportJob;
    if (!['queued', 'running'].includes(job.status.state)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exportFiles(sessionId: string): Promise<string[]> {
  return (await rt.server.store.blobs.list(sessionId, 'exports')).map((f) => f.name);
}

describe('exports in the running server', () => {
  let sessionId: string;
  let a: ReturnType<typeof participant>;
  let b: ReturnType<typeof participant>;
  let first: StartExportResponse;
  let etag: string;
  let objectId: number;

  beforeAll(async () => {
    sessionId = await createSceneSession(rt.server.store, scene);
    a = participant();
    b = participant();
    await a.join(sessionId, { name: 'A' });
    await b.join(sessionId, { name: 'B' });
  });

  it('lists the formats from the contract', async () => {
    const body = (await (await api('/export-formats')).json()) as { formats: Array<{ id: string }> };
    expect(body.formats.map((f) => f.id)).toContain('coco-json');
  });

  it('R23: refuses to export a session with no masks (409), and queues nothing', async () => {
    const res = await startExport(sessionId, { format: 'coco-json' });
    expect(res.status).toBe(409);
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe('CONFLICT');
    expect(problem.detail).toMatch(/no masks yet/);
    const list = (await (await api(`/sessions/${sessionId}/exports`)).json()) as { exports: ExportJob[] };
    expect(list.exports).toEqual([]);
    expect(b.notices).toEqual([]);
  });

  it('R23: B sees the export A starts: started, progress with a rising counter, finished with the download', async () => {
    ({ objectId } = await a.command<PromptAddAck>('prompt:add', {
      frame: 0,
      points: [{ ...interiorPoint(disc.masks[0]!, scene.width), label: 1 }],
    }));
    const res = await startExport(sessionId, { format: 'coco-json' });
    expect(res.status).toBe(202);
    first = (await res.json()) as StartExportResponse;
    expect(first.reused).toBe(false);
    await until('export:finished at B', () => b.notices.some((n) => n.type === 'export:finished'));
    const types = b.notices.map((n) => n.type);
    expect(types[0]).toBe('export:started');
    expect(types.at(-1)).toBe('export:finished');
    const progress = b.notices.filter((n): n is ExportProgressedFact => n.type === 'export:progressed');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.map((p) => p.counter)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.at(-1)).toMatchObject({ jobId: first.jobId, done: 8, total: 8, etaSec: 0 });
    const finished = b.notices.at(-1) as ExportFinishedFact;
    expect(finished.url).toBe(`/api/v1/sessions/${sessionId}/exports/${first.jobId}/file`);
    expect(finished.fileName).toBe('roto-coco.json');
    // The notice's URL serves the file: the masks in it are the one A made on frame 0.
    const file = await fetch(`${rt.server.url}${finished.url}`);
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.length).toBe(finished.bytes);
    const coco = JSON.parse(bytes.toString('utf8')) as {
      annotations: Array<{ image_id: number; segmentation: CocoRle }>;
    };
    expect(coco.annotations).toHaveLength(1);
    expect(maskIoU(decodeCocoRle(coco.annotations[0]!.segmentation).mask, disc.masks[0]!)).toBeGreaterThan(
      0.9,
    );
  });

  it('R24: serves the download as an attachment with a strong ETag (304) and byte ranges (206, 416)', async () => {
    const url = `${rt.server.url}/api/v1/sessions/${sessionId}/exports/${first.jobId}/file`;
    const full = await fetch(url);
    const body = Buffer.from(await full.arrayBuffer());
    expect(full.headers.get('content-disposition')).toBe(
      `attachment; filename="roto-coco.json"; filename*=UTF-8''roto-coco.json`,
    );
    expect(full.headers.get('content-type')).toMatch(/^application\/json/);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    etag = full.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);

    const cached = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);
    expect((await cached.arrayBuffer()).byteLength).toBe(0);

    const part = await fetch(url, { headers: { range: 'bytes=2-11' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-11/${body.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(2, 12))).toBe(true);

    const tail = await fetch(url, { headers: { range: 'bytes=-5' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(body.subarray(body.length - 5))).toBe(true);

    const beyond = await fetch(url, { headers: { range: `bytes=${body.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${body.length}`);

    // A range against an older version of the file (If-Range no longer matching) gets it whole.
    const stale = await fetch(url, { headers: { range: 'bytes=0-3', 'if-range': '"another"' } });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(body.length);
  });

  it('R24: reuses the finished file for the same request on an unchanged session', async () => {
    const before = b.notices.length;
    const res = await startExport(sessionId, { format: 'coco-json' });
    expect(res.status).toBe(200);
    const again = (await res.json()) as StartExportResponse;
    expect(again).toMatchObject({ jobId: first.jobId, reused: true, cacheKey: first.cacheKey });
    const file = await fetch(`${rt.server.url}/api/v1/sessions/${sessionId}/exports/${again.jobId}/file`);
    expect(file.headers.get('etag')).toBe(etag);
    await file.arrayBuffer();
    // No new job: nothing was announced and the list holds the one job.
    expect(b.notices.length).toBe(before);
    const list = (await (await api(`/sessions/${sessionId}/exports`)).json()) as { exports: ExportJob[] };
    expect(list.exports.map((j) => j.jobId)).toEqual([first.jobId]);
  });

  it('R24: recomputes after a new click', async () => {
    await a.command<PromptAddAck>('prompt:add', {
      frame: 3,
      points: [{ ...interiorPoint(disc.masks[3]!, scene.width), label: 1 }],
      objectId,
    });
    const res = await startExport(sessionId, { format: 'coco-json' });
    expect(res.status).toBe(202);
    const next = (await res.json()) as StartExportResponse;
    expect(next.jobId).not.toBe(first.jobId);
    expect(next.cacheKey).not.toBe(first.cacheKey);
    const done = await settled(sessionId, next.jobId);
    expect(done.status.state).toBe('finished');
    const file = await fetch(`${rt.server.url}/api/v1/sessions/${sessionId}/exports/${next.jobId}/file`);
    expect(file.headers.get('etag')).not.toBe(etag);
    const coco = (await file.json()) as { annotations: Array<{ image_id: number }> };
    expect(coco.annotations.map((x) => x.image_id).sort()).toEqual([1, 4]);
  });

  it('R23: lets a viewer list and download but not start or cancel an export (403)', async () => {
    const viewer = await rt.server.app.access!.links.create(sessionId, 'viewer');
    const auth = { authorization: `Bearer ${viewer.token}` };
    const res = await startExport(sessionId, { format: 'davis-png-zip' }, viewer.token);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN');
    const list = await api(`/sessions/${sessionId}/exports`, { headers: auth });
    expect(list.status).toBe(200);
    const file = await api(`/sessions/${sessionId}/exports/${first.jobId}/file`, { headers: auth });
    expect(file.status).toBe(200);
    await file.arrayBuffer();
    const del = await api(`/sessions/${sessionId}/exports/${first.jobId}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(del.status).toBe(403);
  });

  it('R24: survives a client that goes away mid-download', async () => {
    const big = (await (
      await startExport(sessionId, { format: 'davis-png-zip' })
    ).json()) as StartExportResponse;
    const job = await settled(sessionId, big.jobId);
    expect(job.status.state).toBe('finished');
    const path = `/api/v1/sessions/${sessionId}/exports/${big.jobId}/file`;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${rt.server.url}${path}`, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.end();
    });
    // The server goes on: the same file downloads whole, and the session still takes clicks.
    const again = await fetch(`${rt.server.url}${path}`);
    const bytes = Buffer.from(await again.arrayBuffer());
    expect(bytes.length).toBe(job.status.state === 'finished' ? job.status.file.bytes : -1);
    expect([...bytes.subarray(0, 2)]).toEqual([0x50, 0x4b]);
    expect((await fetch(`${rt.server.url}/healthz`)).status).toBe(200);
  });

  it('R24: answers the download of a failed export with 409 and its reason, and keeps no file of it', async () => {
    const broken = await createSceneSession(rt.server.store, scene);
    const p = participant();
    await p.join(broken);
    await p.command('prompt:add', {
      frame: 0,
      points: [{ ...interiorPoint(disc.masks[0]!, scene.width), label: 1 }],
    });
    // A frame lost on disk: the export cannot read it.
    await rm(await rt.server.store.blobs.prepare(broken, 'frames/00004.jpg'));
    const started = (await (
      await startExport(broken, { format: 'davis-png-zip' })
    ).json()) as StartExportResponse;
    const job = await settled(broken, started.jobId);
    expect(job.status.state).toBe('failed');
    await until('export:failed at the participant', () => p.notices.some((n) => n.type === 'export:failed'));
    const file = await api(`/sessions/${broken}/exports/${started.jobId}/file`);
    expect(file.status).toBe(409);
    const problem = (await file.json()) as { code: string; detail: string };
    expect(problem.code).toBe('CONFLICT');
    expect(problem.detail).toMatch(/failed, so it has no file/);
    expect(await exportFiles(broken)).toEqual([]);
  });

  let slow: string;
  let slowParticipant: ReturnType<typeof participant>;

  it('R23: cancels a running export on DELETE: everyone gets export:cancelled and no file is left', async () => {
    const big = makeScene({ frames: 48, width: 640, height: 480 });
    slow = await createSceneSession(rt.server.store, big);
    slowParticipant = participant();
    await slowParticipant.join(slow);
    await slowParticipant.command('prompt:add', {
      frame: 0,
      points: [{ ...interiorPoint(sceneObject(big, SCENE_IDS.disc).masks[0]!, big.width), label: 1 }],
    });
    const started = (await (
      await startExport(slow, { format: 'cutout-webm' })
    ).json()) as StartExportResponse;
    const p = slowParticipant;
    await until('the export to run', () => p.notices.some((n) => n.type === 'export:progressed'));
    const del = await api(`/sessions/${slow}/exports/${started.jobId}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    await until('export:cancelled', () => p.notices.some((n) => n.type === 'export:cancelled'));
    expect(p.notices.at(-1)).toMatchObject({ type: 'export:cancelled', reason: 'cancelled by request' });
    const file = await api(`/sessions/${slow}/exports/${started.jobId}/file`);
    expect(file.status).toBe(409);
    expect(((await file.json()) as { detail: string }).detail).toMatch(/was cancelled/);
    expect(await exportFiles(slow)).toEqual([]);
  });

  it('answers HEAD on the file with its headers, and 404 for the exports of an unknown session', async () => {
    const head = await fetch(`${rt.server.url}/api/v1/sessions/${sessionId}/exports/${first.jobId}/file`, {
      method: 'HEAD',
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    const unknown = await api('/sessions/nosuchsession0000000/exports');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('NOT_FOUND');
  });

  it('R24: closing the app cancels a running export and removes its files', async () => {
    const p = slowParticipant;
    const started = (await (
      await startExport(slow, { format: 'cutout-webm' })
    ).json()) as StartExportResponse;
    await until('the export to run', () =>
      p.notices.some((n) => n.type === 'export:progressed' && n.jobId === started.jobId),
    );
    await rt.stop();
    expect(rt.server.app.exports!.jobs.get(started.jobId).status.state).toBe('cancelled');
    for (const id of [sessionId, slow]) expect(await exportFiles(id)).toEqual([]);
  });
});
