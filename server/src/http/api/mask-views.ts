/**
 * Stored masks as REST answers them: COCO RLE JSON (what pycocotools and dataset tools read) with
 * area and bbox, or PNG images (one object: grayscale 0/255; all objects: an indexed PNG whose
 * palette holds the object colours, index 0 the background).
 */
import {
  decodeMask,
  encodeCocoRle,
  maskArea,
  maskBBox,
  type RestMask,
  type TrackedObject,
} from '@roto/shared';
import sharp from 'sharp';
import { encodeIndexedPng } from '../../export/png.ts';
import { labelMap, objectPalette, requireLabelRoom } from '../../export/selection.ts';
import type { MaskEntry, SessionState } from '../../sessions/state.ts';

/** COCO forms kept for repeated reads (a program polling a frame): entries, least recently used out. */
const COCO_CACHE_ENTRIES = 4096;
const cocoCache = new Map<string, Pick<RestMask, 'size' | 'counts' | 'area' | 'bbox'>>();

/**
 * A stored mask (RM bytes) as the REST API's COCO RLE JSON. With `sessionId` the COCO form is
 * cached: a mask's (object, frame, version) never names other bytes within a session.
 */
export function restMask(objectId: number, frame: number, entry: MaskEntry, sessionId?: string): RestMask {
  const key = sessionId === undefined ? undefined : `${sessionId}/${objectId}/${frame}/${entry.version}`;
  let coco = key === undefined ? undefined : cocoCache.get(key);
  if (coco && key !== undefined) {
    cocoCache.delete(key);
    cocoCache.set(key, coco);
  }
  if (!coco) {
    const { mask, width, height } = decodeMask(entry.bytes);
    const { size, counts } = encodeCocoRle(mask, width, height);
    coco = { size, counts, area: maskArea(entry.bytes), bbox: maskBBox(entry.bytes) };
    if (key !== undefined) {
      cocoCache.set(key, coco);
      if (cocoCache.size > COCO_CACHE_ENTRIES) cocoCache.delete(cocoCache.keys().next().value!);
    }
  }
  return {
    objectId,
    frame,
    version: entry.version,
    present: entry.present,
    source: entry.source,
    stale: entry.stale,
    ...coco,
  };
}

/** The masks of one frame, for the listed objects (default: every object), in object id order. */
export function frameMasks(
  state: SessionState,
  frame: number,
  objectIds?: readonly number[],
  sessionId?: string,
): RestMask[] {
  const ids = objectIds ?? [...state.objects.keys()].sort((a, b) => a - b);
  const out: RestMask[] = [];
  for (const id of ids) {
    const entry = state.masksOf(id).get(frame);
    if (entry) out.push(restMask(id, frame, entry, sessionId));
  }
  return out;
}

/** The 0/1 pixels of an object's mask on a frame (all 0 when it has none there). */
export function maskPixels(state: SessionState, objectId: number, frame: number): Uint8Array {
  const entry = state.masksOf(objectId).get(frame);
  if (!entry) return new Uint8Array(state.media.width * state.media.height);
  return decodeMask(entry.bytes).mask;
}

/** One object's mask on a frame as a grayscale PNG: 255 inside, 0 outside. */
export async function objectMaskPng(state: SessionState, objectId: number, frame: number): Promise<Buffer> {
  const { width, height } = state.media;
  const pixels = maskPixels(state, objectId, frame);
  const gray = Buffer.alloc(pixels.length);
  for (let i = 0; i < pixels.length; i++) gray[i] = pixels[i] ? 255 : 0;
  return sharp(gray, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** Every object's mask on a frame as an indexed PNG: index k is the k-th object (by id) in its colour. */
export function labelsPng(state: SessionState, frame: number): Buffer {
  const { width, height } = state.media;
  const objects = sortedObjects(state);
  requireLabelRoom(objects, 'all-objects PNG');
  const masks = new Map(objects.map((o) => [o.id, maskPixels(state, o.id, frame)]));
  const labels = labelMap(masks, objects, width * height);
  const palette = new Uint8Array(3 * (objects.length + 1));
  palette.set(objectPalette(objects), 3);
  return encodeIndexedPng(labels, width, height, palette);
}

/** The session's objects in id order. */
export function sortedObjects(state: SessionState): TrackedObject[] {
  return [...state.objects.values()].sort((a, b) => a.id - b.id);
}
