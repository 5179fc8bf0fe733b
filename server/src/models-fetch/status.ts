import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Manifest } from '../inference/manifest.ts';
import { sha256File } from './hash.ts';
import { isDirectory, type ModelsLocation } from './locate.ts';
import { isArchive, packFiles, type RoledFile, readManifest, unpackedFiles } from './pack-files.ts';

/**
 * State of one file of a pack on disk. `unpacked`: an archive that is gone because every file in
 * it has been unpacked (it is no longer needed).
 */
export type FileState = 'present' | 'partial' | 'missing' | 'corrupt' | 'unpacked';

/**
 * State of a pack: `installed` (every file present with the right size, and checksum when
 * verified), `partial` (some files or an interrupted download), `missing` (nothing on disk),
 * `corrupt` (a file of the wrong size or checksum, or an unreadable manifest).
 */
export type PackStatus = 'installed' | 'partial' | 'missing' | 'corrupt';

export interface FileReport {
  file: string;
  role: string;
  state: FileState;
  /** Bytes of the file, or of its `.part` while a download is unfinished. */
  bytesOnDisk: number;
  bytesExpected?: number;
  /** Computed hash (only when verifying). */
  sha256?: string;
  /** Why the file is `corrupt`. */
  problem?: string;
}

export interface PackReport {
  /** Name from the manifest, or the folder name when the manifest is unreadable. */
  name: string;
  dir: string;
  title?: string;
  kind?: Manifest['kind'];
  family?: Manifest['family'];
  size?: string;
  format?: string;
  status: PackStatus;
  bytesOnDisk: number;
  /** Sum of the manifest's `bytes`, when every file states it. */
  bytesExpected?: number;
  active: boolean;
  /** Why the pack is corrupt (e.g. a malformed manifest). */
  problem?: string;
  files: FileReport[];
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/** Checks one file: presence, size against `bytes`, and (with `verify`) sha256 against the pin. */
export async function inspectFile(dir: string, f: RoledFile, verify: boolean): Promise<FileReport> {
  const base = { file: f.file, role: f.role, bytesExpected: f.bytes };
  const size = await sizeOf(join(dir, f.file));
  if (size === undefined) {
    const part = await sizeOf(join(dir, `${f.file}.part`));
    return part === undefined
      ? { ...base, state: 'missing', bytesOnDisk: 0 }
      : { ...base, state: 'partial', bytesOnDisk: part };
  }
  if (f.bytes !== undefined && size !== f.bytes) {
    return {
      ...base,
      state: 'corrupt',
      bytesOnDisk: size,
      problem: `${size} bytes on disk, manifest says ${f.bytes}`,
    };
  }
  if (!verify) return { ...base, state: 'present', bytesOnDisk: size };
  const sha256 = await sha256File(join(dir, f.file));
  if (f.sha256 && sha256 !== f.sha256) {
    return {
      ...base,
      state: 'corrupt',
      bytesOnDisk: size,
      sha256,
      problem: `sha256 ${sha256}, manifest pins ${f.sha256}`,
    };
  }
  return { ...base, state: 'present', bytesOnDisk: size, sha256 };
}

/** Combines file states into the pack's status. */
export function packStatus(files: readonly FileReport[]): PackStatus {
  if (files.some((f) => f.state === 'corrupt')) return 'corrupt';
  if (files.every((f) => f.state === 'present' || f.state === 'unpacked')) return 'installed';
  if (files.every((f) => f.state === 'missing')) return 'missing';
  return 'partial';
}

/** Inspects the pack in `dir`. Never throws for a broken pack: that is reported as `corrupt`. */
export async function inspectPack(
  dir: string,
  opts: { active?: boolean; verify?: boolean } = {},
): Promise<PackReport> {
  const folderName = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
  let manifest: Manifest;
  try {
    manifest = await readManifest(dir);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const problem = e.code === 'ENOENT' ? `no manifest.json in ${dir}` : e.message;
    return {
      name: folderName,
      dir,
      status: 'corrupt',
      bytesOnDisk: 0,
      active: !!opts.active,
      problem,
      files: [],
    };
  }
  const wanted = packFiles(manifest);
  const files = await Promise.all(wanted.map((f) => inspectFile(dir, f, !!opts.verify)));
  const fromArchive = new Set(unpackedFiles(wanted).map((f) => f.file));
  const allUnpacked =
    fromArchive.size > 0 && files.every((f) => !fromArchive.has(f.file) || f.state === 'present');
  if (allUnpacked) {
    for (const f of files) if (f.state === 'missing' && isArchive(f)) f.state = 'unpacked';
  }
  const expected = wanted.every((f) => f.bytes !== undefined)
    ? wanted.reduce((n, f) => n + (f.bytes ?? 0), 0)
    : undefined;
  return {
    name: manifest.name,
    dir,
    title: manifest.title,
    kind: manifest.kind,
    family: manifest.family,
    size: manifest.size,
    format: manifest.format,
    status: packStatus(files),
    bytesOnDisk: files.reduce((n, f) => n + f.bytesOnDisk, 0),
    bytesExpected: expected,
    active: !!opts.active,
    files,
  };
}

/**
 * Every pack under the models folder (sub-folders with a `manifest.json`), plus the active pack
 * when `MODEL_PACK` points at a folder elsewhere, sorted by name.
 */
export async function listPacks(loc: ModelsLocation, opts: { verify?: boolean } = {}): Promise<PackReport[]> {
  const dirs = new Set<string>();
  if (isDirectory(loc.modelsDir)) {
    for (const entry of await readdir(loc.modelsDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(loc.modelsDir, entry.name);
      if ((await sizeOf(join(dir, 'manifest.json'))) !== undefined) dirs.add(resolve(dir));
    }
  }
  const activeDir = resolve(loc.activeDir);
  if (isDirectory(activeDir)) dirs.add(activeDir);
  const reports = await Promise.all(
    [...dirs].map((dir) => inspectPack(dir, { active: dir === activeDir, verify: opts.verify })),
  );
  return reports.sort((a, b) => a.name.localeCompare(b.name));
}
