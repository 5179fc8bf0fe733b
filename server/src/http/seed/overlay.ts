/**
 * Seed-003's `GET /overlay/{session_id}/{frame_idx}`: the frame with every object's mask blended in
 * its colour and outlined (the same look as the overlay MP4 export), as a JPEG.
 */
import sharp from 'sharp';
import { blendOverlay } from '../../export/compose.ts';
import { labelMap, objectPalette, requireLabelRoom } from '../../export/selection.ts';
import { frameFileName, readFrameRgb } from '../../media/decode.ts';
import type { SessionRoom } from '../../sessions/room.ts';
import type { SessionStore } from '../../storage/index.ts';
import { maskPixels, sortedObjects } from '../api/mask-views.ts';

/** JPEG quality of overlays (a preview: small and quick). */
const OVERLAY_QUALITY = 85;

/** The overlay JPEG of `frame`. */
export async function overlayJpeg(store: SessionStore, room: SessionRoom, frame: number): Promise<Buffer> {
  const state = room.state;
  const path = await store.blobs.prepare(room.id, `${state.frames.dir}/${frameFileName(frame)}`);
  const image = await readFrameRgb(path);
  const objects = sortedObjects(state);
  requireLabelRoom(objects, 'overlay');
  const masks = new Map(objects.map((o) => [o.id, maskPixels(state, o.id, frame)]));
  const labels = labelMap(masks, objects, image.width * image.height);
  blendOverlay(image.data, labels, objectPalette(objects), image.width, image.height);
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: OVERLAY_QUALITY })
    .toBuffer();
}
