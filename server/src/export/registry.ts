/**
 * Every export format, declared once: its id (what clients ask for), a label for menus, the file
 * it produces, the session kinds it applies to and the function that writes it. Checked at
 * start-up by {@link checkExportRegistry}.
 */
import { EXPORT_FORMAT_IDS as CONTRACT_FORMAT_IDS, RotoError } from '@roto/shared';
import { exportCocoJson } from './coco-json.ts';
import { exportCutoutPngZip, exportCutoutWebm } from './cutouts.ts';
import { exportDavisZip } from './davis.ts';
import { exportOverlayVideo } from './overlay-video.ts';
import { exportCutoutPng, exportMaskPng } from './single-frame.ts';
import type { Exporter, ExportSessionKind } from './types.ts';
import { exportMaskVideo } from './video-exports.ts';
import { exportYoloSegZip } from './yolo-seg.ts';
import { exportYtvisJson } from './ytvis-json.ts';

/** A registered export format. */
export interface ExportFormat {
  /** Stable identifier, `kebab-case`, used in requests and job payloads. */
  readonly id: string;
  /** Human label for menus. */
  readonly label: string;
  /** File extension without the dot. */
  readonly extension: string;
  readonly mime: string;
  /** The session kinds it makes sense for (a video session, a one-frame image session). */
  readonly kinds: readonly ExportSessionKind[];
  /** Needs a working encoder of this ffmpeg (checked when the export runs). */
  readonly encoder?: 'libx264' | 'libvpx-vp9';
  readonly run: Exporter;
}

/** The formats, in the order a menu shows them. */
export const EXPORT_FORMATS = [
  {
    id: 'overlay-mp4',
    label: 'Overlay video (MP4)',
    extension: 'mp4',
    mime: 'video/mp4',
    kinds: ['video'],
    encoder: 'libx264',
    run: exportOverlayVideo,
  },
  {
    id: 'mask-mp4',
    label: 'Mask video (MP4)',
    extension: 'mp4',
    mime: 'video/mp4',
    kinds: ['video'],
    encoder: 'libx264',
    run: exportMaskVideo,
  },
  {
    id: 'davis-png-zip',
    label: 'DAVIS PNG annotations (zip)',
    extension: 'zip',
    mime: 'application/zip',
    kinds: ['video', 'image'],
    run: exportDavisZip,
  },
  {
    id: 'coco-json',
    label: 'COCO instances JSON (RLE)',
    extension: 'json',
    mime: 'application/json',
    kinds: ['video', 'image'],
    run: exportCocoJson,
  },
  {
    id: 'ytvis-json',
    label: 'YouTube-VIS JSON',
    extension: 'json',
    mime: 'application/json',
    kinds: ['video'],
    run: exportYtvisJson,
  },
  {
    id: 'yolo-seg-zip',
    label: 'YOLO segmentation dataset (zip)',
    extension: 'zip',
    mime: 'application/zip',
    kinds: ['video', 'image'],
    run: exportYoloSegZip,
  },
  {
    id: 'cutout-png-zip',
    label: 'Cut-outs, PNG sequence per object (zip)',
    extension: 'zip',
    mime: 'application/zip',
    kinds: ['video'],
    run: exportCutoutPngZip,
  },
  {
    id: 'cutout-webm',
    label: 'Cut-out video with alpha (WebM VP9)',
    extension: 'webm',
    mime: 'video/webm',
    kinds: ['video'],
    encoder: 'libvpx-vp9',
    run: exportCutoutWebm,
  },
  {
    id: 'mask-png',
    label: 'Mask (PNG)',
    extension: 'png',
    mime: 'image/png',
    kinds: ['image'],
    run: exportMaskPng,
  },
  {
    id: 'cutout-png',
    label: 'Cut-out (transparent PNG)',
    extension: 'png',
    mime: 'image/png',
    kinds: ['image'],
    run: exportCutoutPng,
  },
] as const satisfies readonly ExportFormat[];

/** A registered format id. */
export type ExportFormatId = (typeof EXPORT_FORMATS)[number]['id'];

/** The ids, for schemas (`z.enum(EXPORT_FORMAT_IDS)`). */
export const EXPORT_FORMAT_IDS = EXPORT_FORMATS.map((f) => f.id) as [ExportFormatId, ...ExportFormatId[]];

/**
 * Checks a registry: unique kebab-case ids, at least one session kind each, an extension and a
 * mime type, and (for the server's own registry) exactly the ids the contract lists, in its
 * order. Throws INTERNAL naming the first problem (a programming error, caught at start-up).
 */
export function checkExportRegistry(formats: readonly ExportFormat[] = EXPORT_FORMATS): void {
  if (formats === EXPORT_FORMATS && formats.map((f) => f.id).join() !== CONTRACT_FORMAT_IDS.join()) {
    throw new RotoError(
      'INTERNAL',
      `The export registry (${formats.map((f) => f.id).join(', ')}) differs from the contract's EXPORT_FORMAT_IDS`,
    );
  }
  const seen = new Set<string>();
  for (const f of formats) {
    const problem = !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(f.id)
      ? 'is not kebab-case'
      : seen.has(f.id)
        ? 'is declared twice'
        : f.kinds.length === 0
          ? 'applies to no session kind'
          : !/^[a-z0-9]+$/.test(f.extension)
            ? 'has no plain extension'
            : !/^[a-z]+\/[a-z0-9.+-]+$/.test(f.mime)
              ? 'has no valid mime type'
              : undefined;
    if (problem) throw new RotoError('INTERNAL', `Export format "${f.id}" ${problem}`, { format: f.id });
    seen.add(f.id);
  }
}

/** The format with `id`; NOT_FOUND naming the known ids otherwise. */
export function exportFormat(id: string): ExportFormat {
  const f = EXPORT_FORMATS.find((x) => x.id === id);
  if (!f) {
    throw new RotoError(
      'NOT_FOUND',
      `Unknown export format "${id}"; use one of ${EXPORT_FORMAT_IDS.join(', ')}`,
      {
        format: id,
        formats: EXPORT_FORMAT_IDS,
      },
    );
  }
  return f;
}

/** The formats that apply to a session of `kind`. */
export function formatsFor(kind: ExportSessionKind): ExportFormat[] {
  return EXPORT_FORMATS.filter((f) => (f.kinds as readonly ExportSessionKind[]).includes(kind));
}

/**
 * Runs format `id` for a session of `kind`; INVALID_INPUT when the format does not apply to it
 * (e.g. an overlay video of a single image).
 */
export async function runExport(
  id: string,
  kind: ExportSessionKind,
  ...args: Parameters<Exporter>
): ReturnType<Exporter> {
  const f = exportFormat(id);
  if (!(f.kinds as readonly ExportSessionKind[]).includes(kind)) {
    throw new RotoError(
      'INVALID_INPUT',
      `The ${f.label} export is for ${f.kinds.join(' or ')} sessions, not ${kind} sessions`,
      {
        format: id,
        kind,
      },
    );
  }
  return f.run(...args);
}

// Checked when the module loads, so a broken registry stops the server at start-up.
checkExportRegistry();
