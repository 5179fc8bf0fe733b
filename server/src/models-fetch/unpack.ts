import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyError, FetchError } from './errors.ts';
import type { FetchedFile } from './fetch-pack.ts';
import { isArchive, type RoledFile } from './pack-files.ts';
import { formatBytes, type TextOut } from './progress.ts';
import { inspectFile } from './status.ts';
import { extractZipEntry, listZip, type ZipEntry } from './unzip.ts';

/**
 * Unpacks a file without a URL from one of the pack's archives (found by file name, in any folder
 * of the archive), then verifies its size and pinned checksum like a download.
 */
export async function unpackOne(
  f: RoledFile,
  files: readonly RoledFile[],
  dir: string,
  out: TextOut,
): Promise<FetchedFile> {
  const base = { file: f.file, role: f.role, licence: f.licence, pinned: false };
  const seen: string[] = [];
  for (const archive of files.filter((a) => isArchive(a) && existsSync(join(dir, a.file)))) {
    const zipPath = join(dir, archive.file);
    let entries: ZipEntry[];
    try {
      entries = await listZip(zipPath);
    } catch (err) {
      const error = err instanceof FetchError ? err : new FetchError('INTERNAL', 'filesystem', String(err));
      out.write(`✗ ${f.file}: ${error.message}\n`);
      return { ...base, status: 'failed', error };
    }
    const entry = entries.find((e) => e.name.split('/').pop() === f.file);
    seen.push(...entries.filter((e) => !e.name.endsWith('/')).map((e) => e.name));
    if (!entry) continue;
    try {
      await extractZipEntry(zipPath, entry, join(dir, f.file));
    } catch (err) {
      const error =
        err instanceof FetchError ? err : classifyError(err, archive.url ?? zipPath, join(dir, f.file));
      out.write(`✗ ${f.file}: ${error.message}\n`);
      return { ...base, status: 'failed', error };
    }
    const report = await inspectFile(dir, f, true);
    if (report.state !== 'present') {
      const error = new FetchError(
        'CONFLICT',
        'checksum-mismatch',
        `unpacked from ${archive.file} but ${report.problem}`,
      );
      out.write(`✗ ${f.file}: ${error.message}\n`);
      return { ...base, status: 'failed', error };
    }
    out.write(`✓ ${f.file} (${f.role}): unpacked from ${archive.file}, ${formatBytes(report.bytesOnDisk)}\n`);
    return {
      ...base,
      status: 'unpacked',
      bytes: report.bytesOnDisk,
      sha256: report.sha256,
      pinned: !!f.sha256,
    };
  }
  const where =
    seen.length > 0 ? `the archive holds: ${seen.join(', ')}` : 'no archive of the pack is on disk';
  const error = new FetchError('NOT_FOUND', 'file-missing', `not found in the pack's archives (${where})`);
  out.write(`✗ ${f.file}: ${error.message}\n`);
  return { ...base, status: 'failed', error };
}

/** Every file came out of the archives: they only take space now. */
export async function removeArchives(files: readonly RoledFile[], dir: string, out: TextOut): Promise<void> {
  for (const a of files.filter(isArchive)) {
    if (!existsSync(join(dir, a.file))) continue;
    await rm(join(dir, a.file), { force: true });
    out.write(`removed ${a.file}: every file in it is unpacked\n`);
  }
}
