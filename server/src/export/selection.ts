/**
 * Which objects an export covers and how their masks combine: the selection, colours, the label
 * map (one byte per pixel naming the object seen there) and the union of the selected masks.
 */
import { RotoError } from '@roto/shared';
import type { ExportObject, ExportSource, FrameMasks } from './types.ts';

/** The most objects one label map can hold (index 0 is the background). */
export const MAX_LABELS = 255;

/**
 * The objects to export, in the order asked for (default: the source's order). Unknown ids are
 * NOT_FOUND; a repeated id is INVALID_INPUT.
 */
export function selectObjects(source: ExportSource, objectIds?: readonly number[]): ExportObject[] {
  if (!objectIds) return [...source.objects];
  const byId = new Map(source.objects.map((o) => [o.id, o]));
  const seen = new Set<number>();
  return objectIds.map((id) => {
    const obj = byId.get(id);
    if (!obj) throw new RotoError('NOT_FOUND', `There is no object ${id} in this session`, { objectId: id });
    if (seen.has(id))
      throw new RotoError('INVALID_INPUT', `Object ${id} is selected twice`, { objectId: id });
    seen.add(id);
    return obj;
  });
}

/** Refuses an empty selection for formats that have nothing to show without an object. */
export function requireObjects(objects: readonly ExportObject[], format: string): void {
  if (objects.length === 0) {
    throw new RotoError('INVALID_INPUT', `A ${format} export needs at least one object; create one first`);
  }
}

/** Refuses selections that do not fit in an 8-bit label map. */
export function requireLabelRoom(objects: readonly ExportObject[], format: string): void {
  if (objects.length > MAX_LABELS) {
    throw new RotoError(
      'INVALID_INPUT',
      `A ${format} export holds at most ${MAX_LABELS} objects; select fewer`,
      {
        objects: objects.length,
      },
    );
  }
}

/** `#rrggbb` → `[r, g, b]`; anything unparsable is mid grey (colours come from a validated contract). */
export function parseColor(color: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return [128, 128, 128];
  return [Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16), Number.parseInt(m[3]!, 16)];
}

/** Colours of the selected objects, flattened: `rgb[3k..3k+2]` is label k + 1. */
export function objectPalette(objects: readonly ExportObject[]): Uint8Array {
  const out = new Uint8Array(objects.length * 3);
  for (const [k, o] of objects.entries()) out.set(parseColor(o.color), 3 * k);
  return out;
}

/**
 * The label map of one frame: 0 for background, k + 1 where the k-th selected object is. Where
 * masks overlap the later object wins (as in DAVIS annotations, which hold one label per pixel).
 */
export function labelMap(
  masks: FrameMasks,
  objects: readonly ExportObject[],
  pixels: number,
  out: Uint8Array = new Uint8Array(pixels),
): Uint8Array {
  out.fill(0);
  objects.forEach((o, k) => {
    const m = masks.get(o.id);
    if (!m) return;
    checkMaskSize(m, pixels, o.id);
    const label = k + 1;
    for (let p = 0; p < pixels; p++) if (m[p] !== 0) out[p] = label;
  });
  return out;
}

/** The union (0/1) of the selected objects' masks on one frame. */
export function unionMask(
  masks: FrameMasks,
  objects: readonly ExportObject[],
  pixels: number,
  out: Uint8Array = new Uint8Array(pixels),
): Uint8Array {
  out.fill(0);
  for (const o of objects) {
    const m = masks.get(o.id);
    if (!m) continue;
    checkMaskSize(m, pixels, o.id);
    for (let p = 0; p < pixels; p++) if (m[p] !== 0) out[p] = 1;
  }
  return out;
}

function checkMaskSize(mask: Uint8Array, pixels: number, objectId: number): void {
  if (mask.length !== pixels) {
    throw new RotoError('INTERNAL', `The mask of object ${objectId} does not match the frame size`, {
      objectId,
      maskPixels: mask.length,
      framePixels: pixels,
    });
  }
}
