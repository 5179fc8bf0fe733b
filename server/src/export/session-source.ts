/**
 * An ExportSource over a live session: its decoded frames in the blob area, its objects, and a
 * snapshot of its masks taken when the export starts (mask bytes are immutable, so the snapshot
 * copies references only). Edits made while an export runs go into the next export, never half
 * into this one.
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { decodeMask, type MediaInfo, type TrackedObject } from '@roto/shared';
import { readMeta, type SessionMeta } from '../ingest/session-meta.ts';
import { frameFileName } from '../media/decode.ts';
import type { MaskEntry } from '../sessions/state.ts';
import type { BlobArea } from '../storage/blob-area.ts';
import type { ExportableSession } from './export-jobs.ts';
import type { ExportSource } from './types.ts';

/** What an export reads from a session's document (a `SessionState` is one). */
export interface SessionDocument {
  readonly media: MediaInfo;
  readonly frames: { dir: string; count: number; width: number; height: number };
  readonly objects: ReadonlyMap<number, TrackedObject>;
  masksOf(objectId: number): ReadonlyMap<number, MaskEntry>;
}

/** Where a session's files are on disk. */
export interface SessionFiles {
  /** The folder holding `00000.jpg`…. */
  framesDir: string;
  /** The kept upload, for its audio (videos only). */
  sourceVideoPath?: string;
  /** The upload's name, for download names and dataset titles. */
  title?: string;
}

/** Nearest-neighbour resample of a 0/1 mask (masks are stored at frame size; this guards the rest). */
function resample(mask: Uint8Array, w: number, h: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / width));
      out[y * width + x] = mask[sy * w + sx]!;
    }
  }
  return out;
}

/** A session snapshotted for exports: the source, and what the cache and the checks need to know. */
export interface SessionSnapshotForExport {
  source: ExportSource;
  /**
   * Per object, a content hash of what an export reads of it: its name and colour, and for each
   * frame with a present mask the mask's version (versions change with every new mask, so equal
   * hashes mean equal masks), plus the frames' size and count.
   */
  objectFingerprints: ReadonlyMap<number, string>;
  /** Objects with at least one present mask. */
  masked: ReadonlySet<number>;
}

/**
 * Snapshots a session document for exports. Masks whose object was marked absent
 * (`present: false`) are left out; stale masks are exported as they are shown.
 */
export function snapshotSession(doc: SessionDocument, files: SessionFiles): SessionSnapshotForExport {
  const { width, height, count } = doc.frames;
  const objects = [...doc.objects.values()].sort((a, b) => a.id - b.id);
  const snapshot = new Map<number, Map<number, Uint8Array>>();
  const objectFingerprints = new Map<number, string>();
  const masked = new Set<number>();
  for (const o of objects) {
    const frames = new Map<number, Uint8Array>();
    const hash = createHash('sha256').update(JSON.stringify([width, height, count, o.name, o.color]));
    const entries = [...doc.masksOf(o.id)].sort((a, b) => a[0] - b[0]);
    for (const [frame, entry] of entries) {
      if (!entry.present) continue;
      frames.set(frame, entry.bytes);
      hash.update(`${frame}:${entry.version};`);
    }
    if (frames.size > 0) masked.add(o.id);
    snapshot.set(o.id, frames);
    objectFingerprints.set(o.id, hash.digest('base64url'));
  }
  const source: ExportSource = {
    width,
    height,
    fps: doc.media.fps,
    frameCount: count,
    hasAudio: doc.media.hasAudio && files.sourceVideoPath !== undefined,
    framePath: (i) => `${files.framesDir}/${frameFileName(i)}`,
    objects: objects.map((o) => ({ id: o.id, name: o.name, color: o.color })),
    masks(i) {
      const out = new Map<number, Uint8Array>();
      for (const [id, frames] of snapshot) {
        const bytes = frames.get(i);
        if (!bytes) continue;
        const m = decodeMask(bytes);
        out.set(
          id,
          m.width === width && m.height === height
            ? m.mask
            : resample(m.mask, m.width, m.height, width, height),
        );
      }
      return out;
    },
    maskRuns(i) {
      const out = new Map<number, Uint8Array>();
      for (const [id, frames] of snapshot) {
        const bytes = frames.get(i);
        if (bytes) out.set(id, bytes);
      }
      return out;
    },
  };
  if (files.sourceVideoPath) source.sourceVideoPath = files.sourceVideoPath;
  if (files.title) source.title = files.title;
  return { source, objectFingerprints, masked };
}

/** Snapshots a session document as an ExportSource (see {@link snapshotSession}). */
export function sessionExportSource(doc: SessionDocument, files: SessionFiles): ExportSource {
  return snapshotSession(doc, files).source;
}

/** The on-disk folder of a session's frames (the blob area's path for `frames/00000.jpg`'s folder). */
export async function sessionFramesDir(blobs: BlobArea, sessionId: string, dir: string): Promise<string> {
  return dirname(await blobs.prepare(sessionId, `${dir}/${frameFileName(0)}`));
}

/** The upload's name, or the last path segment of a URL source, as a title. */
function titleOf(meta: SessionMeta): string | undefined {
  if (meta.source.kind === 'upload') return meta.source.fileName;
  if (meta.source.kind === 'url') {
    try {
      return decodeURIComponent(new URL(meta.source.url).pathname.split('/').pop() ?? '') || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The session's ingest record, or null for a session not made by ingest (tests, imports). */
async function metaOf(blobs: BlobArea, sessionId: string): Promise<SessionMeta | null> {
  try {
    return await readMeta(blobs, sessionId);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'NOT_FOUND') return null;
    throw err;
  }
}

/**
 * `openSession` for {@link ExportJobs} over the session layer: loads the session's room (the
 * manager's errors pass through: NOT_FOUND, CONFLICT while ingesting), reads its ingest record for
 * the kept upload and its name, and snapshots the document.
 */
export function sessionOpener(
  manager: { getOrLoad(id: string): Promise<{ state: SessionDocument }> },
  blobs: BlobArea,
): (sessionId: string) => Promise<ExportableSession> {
  return async (sessionId) => {
    const room = await manager.getOrLoad(sessionId);
    const meta = await metaOf(blobs, sessionId);
    const doc = room.state;
    const files: SessionFiles = { framesDir: await sessionFramesDir(blobs, sessionId, doc.frames.dir) };
    if (meta?.sourceBlob && doc.media.kind === 'video')
      files.sourceVideoPath = await blobs.prepare(sessionId, meta.sourceBlob);
    const title = meta ? titleOf(meta) : undefined;
    if (title) files.title = title;
    return { kind: doc.media.kind, ...snapshotSession(doc, files) };
  };
}
