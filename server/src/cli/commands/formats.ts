/**
 * `roto segment --format`: short names people type (`overlay`, `coco`, …) mapped onto the export
 * registry's ids for a video or an image. Registry ids (`overlay-mp4`, …) are accepted as they are.
 */
import { extname } from 'node:path';
import { EXPORT_FORMAT_IDS, EXPORT_FORMATS, type ExportFormat } from '../../export/registry.ts';
import type { ExportSessionKind } from '../../export/types.ts';
import { UsageError } from './args.ts';

/** A short format name and the registry format it means for each input kind (absent: does not apply). */
interface ShortFormat {
  name: string;
  video?: string;
  image?: string;
  /** For `alpha`: a `.zip` output asks for the PNG sequence instead of the WebM. */
  videoZip?: string;
}

/** The short names, in the order `--help` lists them. */
export const SHORT_FORMATS: readonly ShortFormat[] = [
  { name: 'overlay', video: 'overlay-mp4' },
  { name: 'masks', video: 'mask-mp4', image: 'mask-png' },
  { name: 'davis', video: 'davis-png-zip', image: 'davis-png-zip' },
  { name: 'coco', video: 'coco-json', image: 'coco-json' },
  { name: 'ytvis', video: 'ytvis-json' },
  { name: 'yolo', video: 'yolo-seg-zip', image: 'yolo-seg-zip' },
  { name: 'alpha', video: 'cutout-webm', videoZip: 'cutout-png-zip', image: 'cutout-png' },
];

/** The names `--format` takes, for messages. */
export const SHORT_FORMAT_NAMES = SHORT_FORMATS.map((f) => f.name);

/** Which short format an output file's extension implies, when only one fits. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  '.mp4': 'overlay',
  '.webm': 'alpha',
  '.json': 'coco',
  '.png': 'masks',
};

/**
 * Checks `--format` (or infers it from the output's extension) without knowing the input yet:
 * returns the name to resolve once the input kind is known. Usage error for an unknown name.
 */
export function checkFormatName(format: string | undefined, outPath: string): string {
  if (format === undefined) {
    const ext = extname(outPath).toLowerCase();
    const implied = BY_EXTENSION[ext];
    if (!implied) {
      throw new UsageError(
        `--format is needed: "${ext || outPath}" does not say which format to write (use one of ${SHORT_FORMAT_NAMES.join(', ')})`,
      );
    }
    return implied;
  }
  if (SHORT_FORMAT_NAMES.includes(format) || (EXPORT_FORMAT_IDS as readonly string[]).includes(format))
    return format;
  throw new UsageError(
    `unknown --format "${format}": use one of ${SHORT_FORMAT_NAMES.join(', ')} (or a registry id: ${EXPORT_FORMAT_IDS.join(', ')})`,
  );
}

/** The registry format for a checked name and the input's kind; usage error when it does not apply. */
export function resolveFormat(name: string, kind: ExportSessionKind, outPath: string): ExportFormat {
  const short = SHORT_FORMATS.find((f) => f.name === name);
  const id =
    short === undefined
      ? name
      : kind === 'video' && short.videoZip && extname(outPath).toLowerCase() === '.zip'
        ? short.videoZip
        : short[kind];
  const format = EXPORT_FORMATS.find((f) => f.id === id);
  if (!format || !(format.kinds as readonly string[]).includes(kind)) {
    const fits = SHORT_FORMATS.filter((f) => f[kind] !== undefined).map((f) => f.name);
    throw new UsageError(
      `--format ${name} does not apply to ${kind === 'image' ? 'an image' : 'a video'}; use one of ${fits.join(', ')}`,
    );
  }
  return format;
}
