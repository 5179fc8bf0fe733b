/**
 * The export library's input and output shapes. Exporters read a session through the small
 * {@link ExportSource} interface (not the live session objects), so they can be tested on
 * synthetic scenes and reused by any caller that can describe frames and masks.
 */
import type { MediaKind } from '@roto/shared';

/** An object as exports name and colour it. */
export interface ExportObject {
  id: number;
  name: string;
  /** `#rrggbb`. */
  color: string;
}

/** Per-object 0/1 masks of one frame (width × height bytes, row-major). Absent id = empty mask. */
export type FrameMasks = ReadonlyMap<number, Uint8Array>;

/** What an exporter reads: the frames, their size and rate, the objects and their masks. */
export interface ExportSource {
  width: number;
  height: number;
  /** Frames per second; 0 for a still image. */
  fps: number;
  frameCount: number;
  hasAudio: boolean;
  /** The uploaded video, to take the audio track from. */
  sourceVideoPath?: string;
  /** A human title (the upload's name), used in file names and dataset metadata. */
  title?: string;
  /** Path of frame `i` as a JPEG (any format sharp reads works). */
  framePath(i: number): string;
  objects: readonly ExportObject[];
  /** Masks of frame `i`; objects without a mask on that frame may be left out. */
  masks(i: number): FrameMasks | Promise<FrameMasks>;
  /**
   * The same masks as stored: RM run-length bytes (`encodeMask`) per object, when the source
   * keeps them. Exports that only need runs (the overlay's label map) read these and skip
   * decoding to a full-frame array.
   */
  maskRuns?(i: number): ReadonlyMap<number, Uint8Array>;
}

/** Progress of one export: `done` of `total` units (frames, or frames × objects). */
export interface ExportProgress {
  done: number;
  total: number;
}

/** Options every exporter accepts. */
export interface ExportOptions {
  onProgress?: (progress: ExportProgress) => void;
  /** Aborting stops the work, kills ffmpeg and removes the partial file; the call rejects with CANCELLED. */
  signal?: AbortSignal;
  /**
   * Objects to export, in this order (default: all, in the source's order). Cut-outs and the
   * single-frame formats use the union of the selected objects.
   */
  objectIds?: readonly number[];
}

/** A finished export. */
export interface ExportResult {
  /** Where the file is (the `outPath` given). */
  path: string;
  bytes: number;
  mime: string;
  /** A download name for the file, e.g. `my-clip-overlay.mp4`. */
  fileName: string;
}

/** An export function: reads `source`, writes `outPath` atomically. */
export type Exporter = (
  source: ExportSource,
  outPath: string,
  options?: ExportOptions,
) => Promise<ExportResult>;

/** The session kinds a format applies to. */
export type ExportSessionKind = MediaKind;
