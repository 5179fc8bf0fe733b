import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Manifest, ManifestError } from '../inference/manifest.ts';
import { downloadFile } from './download.ts';
import { FetchError } from './errors.ts';
import { isArchive, packFiles, type RoledFile, readManifest, unpackedFiles } from './pack-files.ts';
import { createProgress, formatBytes, formatDuration, type TextOut } from './progress.ts';
import { inspectFile } from './status.ts';
import { removeArchives, unpackOne } from './unpack.ts';

/** How `fetchPack` works on one pack folder. */
export interface FetchPackOptions {
  /** The pack folder (holds `manifest.json`; files land next to it). */
  dir: string;
  /** Only verify what is there (a local folder pack): never download. */
  verifyOnly?: boolean;
  /** Download every file again, discarding what is on disk. */
  force?: boolean;
  /** Write computed `sha256` and `bytes` into manifest.json for files that lack them. */
  pin?: boolean;
  /** Messages (one line per event). */
  out: TextOut;
  /** Progress bars / lines (a terminal gets a bar). */
  progressOut: TextOut;
  retries?: number;
  backoffMs?: number;
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/** The outcome for one file. */
export interface FetchedFile {
  file: string;
  role: string;
  /** `unpacked`: extracted from the pack's archive; `not-needed`: an archive whose files are all unpacked. */
  status: 'present' | 'downloaded' | 'unpacked' | 'not-needed' | 'failed';
  bytes?: number;
  sha256?: string;
  /** True when the manifest pins a sha256 (and it matched). */
  pinned: boolean;
  licence?: string;
  error?: FetchError;
}

/** The outcome for the pack; `ok` when every file is present and verified. */
export interface FetchPackResult {
  manifest: Manifest;
  dir: string;
  files: FetchedFile[];
  ok: boolean;
}

/** Reads the pack's manifest, turning a missing or malformed one into a `FetchError`. */
export async function loadPackManifest(dir: string): Promise<Manifest> {
  try {
    return await readManifest(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FetchError('NOT_FOUND', 'pack-not-found', `no pack at ${dir} (no manifest.json there)`);
    }
    if (err instanceof ManifestError) throw new FetchError('INVALID_INPUT', 'manifest-invalid', err.message);
    throw err;
  }
}

/**
 * Makes every file of a pack present and verified: keeps files that pass the size and checksum
 * checks, downloads the others (resuming partial downloads), and reports each file's hash and
 * licence. Continues past a failed file so one run shows every problem.
 */
export async function fetchPack(opts: FetchPackOptions): Promise<FetchPackResult> {
  const manifest = await loadPackManifest(opts.dir);
  const { out } = opts;
  const files = packFiles(manifest);
  out.write(
    `${manifest.title ?? manifest.name} (${manifest.name}: ${manifest.kind}, ${manifest.format} format)\n`,
  );
  out.write(`${opts.verifyOnly ? 'verifying' : 'into'} ${opts.dir}\n`);
  const fromArchive = unpackedFiles(files);
  // Downloads first, so that archives are on disk before the files inside them are unpacked.
  const ordered = [...files.filter((f) => !fromArchive.includes(f)), ...fromArchive];
  const archivesNeeded = opts.force || fromArchive.some((f) => !existsSync(join(opts.dir, f.file)));
  const results: FetchedFile[] = [];
  for (const f of ordered) {
    let r: FetchedFile;
    if (isArchive(f) && fromArchive.length > 0 && !archivesNeeded && !existsSync(join(opts.dir, f.file))) {
      out.write(`✓ ${f.file}: not needed, its files are unpacked\n`);
      r = { file: f.file, role: f.role, status: 'not-needed', pinned: false, licence: f.licence };
    } else if (fromArchive.includes(f) && !opts.verifyOnly && !existsSync(join(opts.dir, f.file))) {
      r = await unpackOne(f, files, opts.dir, opts.out);
      if (r.sha256) describe(f, r.sha256, opts);
    } else {
      r = await fetchOne(f, opts);
    }
    results.push(r);
    if (opts.signal?.aborted) break;
  }
  const ok = results.length === files.length && results.every((r) => r.status !== 'failed');
  if (ok && fromArchive.length > 0 && !opts.verifyOnly) await removeArchives(files, opts.dir, opts.out);
  if (opts.pin) await pinManifest(opts.dir, results, out);
  summarise(manifest, results, files.length, ok, opts);
  return { manifest, dir: opts.dir, files: results, ok };
}

async function fetchOne(f: RoledFile, opts: FetchPackOptions): Promise<FetchedFile> {
  const { out } = opts;
  const dest = join(opts.dir, f.file);
  const base = { file: f.file, role: f.role, licence: f.licence, pinned: false };
  const fail = (error: FetchError): FetchedFile => {
    out.write(`✗ ${f.file}: ${error.message}\n`);
    return { ...base, status: 'failed', error };
  };
  if (opts.force && !opts.verifyOnly) {
    await rm(dest, { force: true });
    await rm(`${dest}.part`, { force: true });
  }
  if (existsSync(dest)) {
    const report = await inspectFile(opts.dir, f, true);
    if (report.state === 'present') {
      out.write(`✓ ${f.file} (${f.role}): present, ${formatBytes(report.bytesOnDisk)}\n`);
      describe(f, report.sha256 ?? '', opts);
      return {
        ...base,
        status: 'present',
        bytes: report.bytesOnDisk,
        sha256: report.sha256,
        pinned: !!f.sha256,
      };
    }
    if (opts.verifyOnly || !f.url) {
      return fail(new FetchError('CONFLICT', 'checksum-mismatch', `corrupt: ${report.problem}`));
    }
    out.write(`! ${f.file}: corrupt (${report.problem}); downloading it again\n`);
    await rm(dest, { force: true });
  }
  if (opts.verifyOnly) {
    return fail(
      new FetchError(
        'NOT_FOUND',
        'file-missing',
        `missing from ${opts.dir} (a local pack is only verified, never downloaded)`,
      ),
    );
  }
  if (!f.url) {
    return fail(
      new FetchError('NOT_FOUND', 'file-missing', `missing, and manifest.json gives no URL to fetch it from`),
    );
  }
  const started = Date.now();
  try {
    const r = await downloadFile({
      url: f.url,
      dest,
      expectedBytes: f.bytes,
      sha256: f.sha256,
      retries: opts.retries,
      backoffMs: opts.backoffMs,
      idleTimeoutMs: opts.idleTimeoutMs,
      signal: opts.signal,
      progress: createProgress(opts.progressOut, f.file),
      onRetry: (attempt, err, delay) =>
        out.write(`  ${f.file}: ${err.message}; retry ${attempt} in ${formatDuration(delay / 1000)}\n`),
    });
    const resumed = r.resumedFrom > 0 ? `, resumed from ${formatBytes(r.resumedFrom)}` : '';
    const took = formatDuration((Date.now() - started) / 1000);
    out.write(`✓ ${f.file} (${f.role}): downloaded, ${formatBytes(r.bytes)} in ${took}${resumed}\n`);
    describe(f, r.sha256, opts);
    return { ...base, status: 'downloaded', bytes: r.bytes, sha256: r.sha256, pinned: !!f.sha256 };
  } catch (err) {
    return fail(err instanceof FetchError ? err : new FetchError('INTERNAL', 'network', String(err)));
  }
}

/** The hash (pinned or to pin) and the licence of a verified file. */
function describe(f: RoledFile, sha256: string, opts: FetchPackOptions): void {
  const pin = f.sha256
    ? 'matches the pinned checksum'
    : opts.pin
      ? 'pinned into manifest.json'
      : `not pinned: add "sha256": "${sha256}" to this file's entry in manifest.json (or run fetch with --pin)`;
  opts.out.write(`    sha256 ${sha256} (${pin})\n`);
  opts.out.write(`    licence: ${f.licence ?? 'not stated in the manifest'}\n`);
}

function summarise(
  manifest: Manifest,
  results: FetchedFile[],
  total: number,
  ok: boolean,
  opts: FetchPackOptions,
): void {
  const { out } = opts;
  const bytes = results.reduce((n, r) => n + (r.bytes ?? 0), 0);
  if (ok)
    out.write(`${manifest.name}: all ${results.length} files present and verified (${formatBytes(bytes)})\n`);
  else {
    const failed = results.filter((r) => r.status === 'failed');
    out.write(
      `${manifest.name}: ${failed.length} of ${total} files failed: ${failed.map((r) => r.file).join(', ')}\n`,
    );
    if (opts.signal?.aborted) out.write('interrupted: run the same command again to resume\n');
  }
  if (manifest.licence) out.write(`licence of the pack: ${manifest.licence}\n`);
  if (manifest.family === 'sam2' || manifest.family === 'sam2.1') {
    out.write('SAM 2 / SAM 2.1 model weights are released by Meta under the Apache-2.0 licence.\n');
  }
}

/**
 * Writes the computed sha256 and size of each verified file into manifest.json, keeping every
 * other field as written. Used once by whoever first fetches a pack, so later fetches are checked.
 */
async function pinManifest(dir: string, results: FetchedFile[], out: TextOut): Promise<void> {
  const path = join(dir, 'manifest.json');
  const raw = JSON.parse(await readFile(path, 'utf8')) as {
    modules?: Record<string, { file: string; sha256?: string; bytes?: number }>;
    constants?: { file: string; sha256?: string; bytes?: number };
    extraFiles?: { file: string; sha256?: string; bytes?: number }[];
  };
  const entries = [
    ...Object.values(raw.modules ?? {}),
    ...(raw.constants ? [raw.constants] : []),
    ...(raw.extraFiles ?? []),
  ];
  let changed = 0;
  for (const entry of entries) {
    const r = results.find((x) => x.file === entry.file && x.status !== 'failed');
    if (!r?.sha256 || r.bytes === undefined) continue;
    if (entry.sha256 === r.sha256 && entry.bytes === r.bytes) continue;
    entry.sha256 = r.sha256;
    entry.bytes = r.bytes;
    changed++;
  }
  if (changed > 0) {
    await writeFile(path, `${JSON.stringify(raw, null, 2)}\n`);
    out.write(`pinned sha256 and size of ${changed} file entr${changed === 1 ? 'y' : 'ies'} in ${path}\n`);
  }
}
