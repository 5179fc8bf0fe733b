import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Manifest, ManifestError, type PackFile, validateManifest } from '../inference/manifest.ts';

/** A file of a pack with the role it plays, e.g. `imageEncoder`, `constants`, `extra`. */
export interface RoledFile extends PackFile {
  role: string;
}

/** Every file a pack needs on disk: modules, host constants and extra files, in manifest order. */
export function packFiles(manifest: Manifest): RoledFile[] {
  const files: RoledFile[] = Object.entries(manifest.modules).map(([role, m]) => ({
    role,
    file: m.file,
    url: m.url,
    sha256: m.sha256,
    bytes: m.bytes,
    licence: m.licence,
  }));
  if (manifest.constants) {
    const c = manifest.constants;
    files.push({
      role: 'constants',
      file: c.file,
      url: c.url,
      sha256: c.sha256,
      bytes: c.bytes,
      licence: c.licence,
    });
  }
  for (const f of manifest.extraFiles ?? []) files.push({ role: 'extra', ...f });
  return dedupe(files);
}

/** Two roles may share a file (e.g. one npz); it is fetched and counted once. */
function dedupe(files: RoledFile[]): RoledFile[] {
  const seen = new Map<string, RoledFile>();
  for (const f of files) {
    const prev = seen.get(f.file);
    if (prev) prev.role = `${prev.role}, ${f.role}`;
    else seen.set(f.file, { ...f });
  }
  return [...seen.values()];
}

/**
 * An archive the pack is published in (e.g. samexporter's zips): an extra file whose name ends in
 * `.zip`. Files of the pack without a URL are unpacked from it; once they are, it may be deleted.
 */
export function isArchive(f: { file: string }): boolean {
  return /\.zip$/i.test(f.file);
}

/** Files that come out of the pack's archives (no URL of their own). */
export function unpackedFiles(files: readonly RoledFile[]): RoledFile[] {
  return files.some(isArchive) ? files.filter((f) => !f.url && !isArchive(f)) : [];
}

/** Reads and validates `<dir>/manifest.json`. Throws `ManifestError` or the fs error. */
export async function readManifest(dir: string): Promise<Manifest> {
  const where = join(dir, 'manifest.json');
  const text = await readFile(where, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  return validateManifest(raw, where);
}
