/**
 * Exports through the SDK on the running server: one `RotoClient` starts an export, another one
 * in the session receives `export:progressed` and `export:finished`, lists the session's exports
 * and downloads the file from `exportFileUrl`; a viewer's `startExport` is FORBIDDEN; `RotoApi`
 * lists the formats and reads the job.
 */
import { type ExportFinishedFact, type ExportProgressedFact, isRotoError } from '@roto/shared';
import { RotoApi, RotoClient } from '@roto/shared/sdk';
import { describe, expect, it } from 'vitest';
import { useRealtimeServer } from './support/realtime-fixture.ts';
import { createSceneSession } from './support/server-realtime.ts';
import { interiorPoint, makeScene, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const scene = makeScene({ frames: 6 });
const disc = sceneObject(scene, SCENE_IDS.disc);

const rt = useRealtimeServer();

async function connect(sessionId: string, name: string, token?: string): Promise<RotoClient> {
  const client = await RotoClient.connect({
    url: rt.server.url,
    sessionId,
    user: { name },
    ...(token ? { token } : {}),
  });
  rt.clients.push(client);
  return client;
}

describe('exports through the SDK', () => {
  it('R23: one client exports, another follows it and downloads the file', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const ada = await connect(sessionId, 'Ada');
    const bob = await connect(sessionId, 'Bob');
    await expect(ada.startExport('davis-png-zip')).rejects.toMatchObject({ code: 'CONFLICT' });
    await ada.addPrompts({ frame: 0, points: [{ ...interiorPoint(disc.masks[0]!, scene.width), label: 1 }] });

    const progressed: ExportProgressedFact[] = [];
    bob.on('export:progressed', (p) => progressed.push(p));
    const finished = new Promise<ExportFinishedFact>((resolve) => bob.on('export:finished', resolve));
    const started = await ada.startExport('davis-png-zip');
    expect(started).toMatchObject({ format: 'davis-png-zip', reused: false, status: { state: 'queued' } });
    const done = await finished;
    expect(done.job.jobId).toBe(started.jobId);
    expect(progressed.at(-1)).toMatchObject({ jobId: started.jobId, done: 6, total: 6 });

    const listed = await bob.listExports();
    expect(listed.map((j) => [j.jobId, j.status.state])).toEqual([[started.jobId, 'finished']]);
    const res = await fetch(bob.exportFileUrl(started.jobId));
    expect(res.status).toBe(200);
    const zip = new Uint8Array(await res.arrayBuffer());
    expect(zip.length).toBe(done.bytes);
    expect([...zip.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);

    // Asked again on the unchanged session: the same job, not a new one.
    expect(await bob.startExport('davis-png-zip')).toMatchObject({ jobId: started.jobId, reused: true });

    const api = new RotoApi(rt.server.url);
    expect((await api.listExportFormats()).map((f) => f.id)).toContain('davis-png-zip');
    expect((await api.getExport(sessionId, started.jobId)).status).toMatchObject({
      state: 'finished',
      file: { url: done.url, fileName: done.fileName, bytes: done.bytes },
    });
  });

  it('R23: a viewer follows exports but cannot start or cancel one', async () => {
    const sessionId = await createSceneSession(rt.server.store, scene);
    const owner = await connect(sessionId, 'Owner');
    await owner.addPrompts({
      frame: 0,
      points: [{ ...interiorPoint(disc.masks[0]!, scene.width), label: 1 }],
    });
    const { token } = await rt.server.app.access!.links.create(sessionId, 'viewer');
    const viewer = await connect(sessionId, 'Viewer', token);
    const refusal = await viewer.startExport('coco-json').catch((err: unknown) => err);
    expect(isRotoError(refusal) && refusal.code).toBe('FORBIDDEN');
    const finished = new Promise<ExportFinishedFact>((resolve) => viewer.on('export:finished', resolve));
    const job = await owner.startExport('coco-json');
    expect((await finished).job.jobId).toBe(job.jobId);
    const cancel = await viewer.cancelExport(job.jobId).catch((err: unknown) => err);
    expect(isRotoError(cancel) && cancel.code).toBe('FORBIDDEN');
    // The viewer's token rides in the file URL's query.
    expect((await fetch(viewer.exportFileUrl(job.jobId))).status).toBe(200);
  });
});
