/**
 * Atomic output for exports: work goes to a hidden temporary name beside the target and is
 * renamed only once complete, so a reader never sees half an export and a failure or a
 * cancellation leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isRotoError, RotoError } from '@roto/shared';
import type { ExportOptions, ExportResult, ExportSource } from './types.ts';

/** The error an aborted export rejects with. */
export function cancelledError(signal?: AbortSignal): RotoError {
  const reason = signal?.reason;
  const why =
    typeof reason === 'string'
      ? reason
      : reason instanceof Error && isRotoError(reason)
        ? reason.message
        : '';
  return new RotoError('CANCELLED', why ? `The export was cancelled: ${why}` : 'The export was cancelled');
}

/** Throws CANCELLED when `signal` has aborted (call between units of work). */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw cancelledError(signal);
}

/** Reports progress without letting a faulty listener break the export. */
export function reporter(options: ExportOptions, total: number): (done: number) => void {
  return (done) => {
    try {
      options.onProgress?.({ done, total });
    } catch {
      // A progress listener's failure is its own business.
    }
  };
}

/** What {@link writeAtomically} needs to name and describe the result. */
export interface OutputSpec {
  mime: string;
  /** Download name suffix and extension, e.g. `overlay.mp4`. */
  suffix: string;
}

/**
 * Runs `work(tmpPath)` and renames the temporary file to `outPath` when it resolves. On any
 * failure (or when the signal has aborted by then) the temporary file is removed; an abort is
 * reported as CANCELLED whatever the work threw.
 */
export async function writeAtomically(
  source: ExportSource,
  outPath: string,
  spec: OutputSpec,
  options: ExportOptions,
  work: (tmpPath: string) => Promise<void>,
): Promise<ExportResult> {
  throwIfAborted(options.signal);
  await mkdir(dirname(outPath), { recursive: true });
  const tmpPath = join(dirname(outPath), `.${basename(outPath)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await work(tmpPath);
    throwIfAborted(options.signal);
    await rename(tmpPath, outPath);
  } catch (err) {
    await rm(tmpPath, { force: true, recursive: true });
    if (options.signal?.aborted) throw cancelledError(options.signal);
    throw err;
  }
  const { size } = await stat(outPath);
  return { path: outPath, bytes: size, mime: spec.mime, fileName: downloadName(source.title, spec.suffix) };
}

/** A file-name-safe slug of a title: lower-case letters, digits and dashes, at most 60 characters. */
export function slug(title: string | undefined, fallback = 'roto'): string {
  const base = (title ?? '').replace(/\.[A-Za-z0-9]{1,5}$/, '');
  const s = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return s || fallback;
}

/** `my-clip-overlay.mp4` from the title `My clip.mov` and the suffix `overlay.mp4`. */
export function downloadName(title: string | undefined, suffix: string): string {
  return `${slug(title)}-${suffix}`;
}
