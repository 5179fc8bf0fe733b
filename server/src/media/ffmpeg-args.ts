/**
 * Input options every ffmpeg/ffprobe call on a user's file must carry. A file named `.mp4` can be
 * an HLS playlist or a concat list that makes the demuxer open other files or URLs; the protocol
 * whitelist keeps it to local files and the format whitelist refuses such demuxers outright
 * (ffmpeg 4.1 follows a renamed playlist even with `-protocol_whitelist file`).
 */

import { resolve } from 'node:path';

/** Demuxers allowed on user videos: QuickTime/MP4, Matroska/WebM, AVI. */
export const VIDEO_FORMAT_WHITELIST = 'mov,mp4,matroska,webm,avi';

/** The options, to place before `-i <file>`. */
export function safeInputArgs(): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', VIDEO_FORMAT_WHITELIST];
}

/** The demuxer named in a "Format not on whitelist" error (or a refused renamed playlist), e.g. `hls` from `[hls,applehttp @ 0x…]`. */
export function refusedFormat(stderr: string): string | undefined {
  // Newer builds refuse a playlist with a non-playlist extension before the whitelist is asked.
  if (/Not detecting m3u8\/hls/i.test(stderr)) return 'hls';
  if (!/not on whitelist/i.test(stderr)) return undefined;
  const m = /\[([a-z0-9_]+)[^\]]*@ 0x[0-9a-f]+\][^\n]*not on whitelist/i.exec(stderr);
  return m?.[1] ?? 'unknown';
}

/**
 * The input URL for a local path. Without the `file:` prefix a name like `a:b.mp4` would be read
 * as protocol `a`, and one starting with `-` as an option.
 */
export function fileInput(path: string): string {
  return `file:${resolve(path)}`;
}
