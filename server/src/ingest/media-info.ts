import type { MediaInfo } from '@roto/shared';
import sharp from 'sharp';
import type { VideoInfo } from '../media/probe.ts';

/** The shared `MediaInfo` of a probed video (the source's displayed size, before frame scaling). */
export function videoMediaInfo(info: VideoInfo, frameCount = info.frameCount): MediaInfo {
  return {
    kind: 'video',
    width: info.width,
    height: info.height,
    fps: info.fps,
    frameCount,
    durationSec: info.durationSec,
    hasAudio: info.hasAudio,
  };
}

/**
 * The shared `MediaInfo` of an image: its upright size (EXIF orientation applied), one frame.
 * Reads only the header.
 */
export async function imageMediaInfo(bytes: Uint8Array): Promise<MediaInfo> {
  const meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  // A multi-page GIF/WebP reports the whole stack as its height; one page is what becomes the frame.
  if ((meta.pages ?? 1) > 1 && meta.width && meta.pageHeight) {
    return image(meta.width, meta.pageHeight);
  }
  return image(meta.autoOrient?.width ?? meta.width ?? 1, meta.autoOrient?.height ?? meta.height ?? 1);
}

function image(width: number, height: number): MediaInfo {
  return { kind: 'image', width, height, fps: 0, frameCount: 1, durationSec: 0, hasAudio: false };
}
