/**
 * Seed-003's `GET /export/{session_id}`: the overlay MP4 of the export library (every frame with
 * the masks blended in, the source's audio kept), written into the session's blob area, streamed
 * to the caller and removed once sent.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeMask, RotoError } from '@roto/shared';
import { runExport } from '../../export/registry.ts';
import type { ExportSource, FrameMasks } from '../../export/types.ts';
import { metaOrNull } from '../../ingest/session-views.ts';
import { frameFileName } from '../../media/decode.ts';
import type { SessionRoom } from '../../sessions/room.ts';
import type { SessionStore } from '../../storage/index.ts';
import { sortedObjects } from '../api/mask-views.ts';
import type { AppContext } from '../context.ts';

/** An export source over a live session: its decoded frames and its stored masks. */
export async function sessionExportSource(store: SessionStore, room: SessionRoom): Promise<ExportSource> {
  const state = room.state;
  const first = await store.blobs.prepare(room.id, `${state.frames.dir}/${frameFileName(0)}`);
  const framesDir = dirname(first);
  const meta = await metaOrNull(store, room.id);
  let sourceVideoPath: string | undefined;
  if (meta?.sourceBlob && state.media.hasAudio) {
    const path = await store.blobs.prepare(room.id, meta.sourceBlob);
    if (
      await stat(path).then(
        () => true,
        () => false,
      )
    )
      sourceVideoPath = path;
  }
  const fileName = meta?.source.kind === 'upload' ? meta.source.fileName : undefined;
  return {
    width: state.frames.width,
    height: state.frames.height,
    fps: state.media.fps,
    frameCount: state.frames.count,
    hasAudio: sourceVideoPath !== undefined,
    ...(sourceVideoPath ? { sourceVideoPath } : {}),
    ...(fileName ? { title: fileName.replace(/\.[^.]+$/, '') } : {}),
    framePath: (i) => join(framesDir, frameFileName(i)),
    objects: sortedObjects(state).map((o) => ({ id: o.id, name: o.name, color: o.color })),
    masks: (i): FrameMasks => {
      const out = new Map<number, Uint8Array>();
      for (const o of state.objects.values()) {
        const entry = state.masksOf(o.id).get(i);
        if (entry) out.set(o.id, decodeMask(entry.bytes).mask);
      }
      return out;
    },
  };
}

/** Writes the overlay MP4 of the session and sends it; the file is removed after the response. */
export async function sendOverlayVideo(
  ctx: AppContext,
  store: SessionStore,
  room: SessionRoom,
): Promise<void> {
  if (room.state.media.kind !== 'video') {
    throw new RotoError('INVALID_INPUT', 'This session is a single image: there is no video to export.');
  }
  const source = await sessionExportSource(store, room);
  const outPath = await store.blobs.prepare(room.id, `exports/seed-overlay-${randomUUID()}.mp4`);
  const controller = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) controller.abort(new RotoError('CANCELLED', 'The client went away.'));
  });
  const result = await runExport('overlay-mp4', 'video', source, outPath, { signal: controller.signal });
  const removeFile = () => void rm(result.path, { force: true });
  ctx.res.once('close', removeFile);
  ctx.type = result.mime;
  ctx.length = result.bytes;
  ctx.set('Content-Disposition', `attachment; filename="${result.fileName.replace(/["\\]/g, '_')}"`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = createReadStream(result.path);
}
