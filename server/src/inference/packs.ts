/**
 * Model packs on disk: resolve `MODEL_PACK`, read and validate the manifest, check that every file
 * is there (and, once per file version, that its sha256 matches), load the host constants.
 *
 * Every failure is an `InferenceError` with code MODEL_UNAVAILABLE and a `reason` detail, so the
 * engine can report `status: 'missing'` (files absent: fetch them) apart from a broken pack.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelUnavailable } from './errors.ts';
import { type Manifest, ManifestError, validateManifest } from './manifest.ts';
import { readNpz } from './npz.ts';

/** `<repo>/models`, the default models directory. */
export const DEFAULT_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');

/** Why a pack cannot be used. `missing` is the only one a fetch fixes. */
export type PackFailure = 'missing' | 'malformed' | 'checksum' | 'constants';

/** The host-side constants of a video pack, flattened, with their shapes checked. */
export interface HostConstants {
  /** (7,1,1,64): temporal encoding of memory slots; row `7 − t_pos − 1` for slot t_pos. */
  maskmemTposEnc: Float32Array;
  /** (1,1,256): added to fpn_2 on a frame that starts tracking. */
  noMemEmbed: Float32Array;
  /** (1,1,256). */
  noMemPosEnc: Float32Array;
  /** (1,256): the object pointer of a frame where the object is absent. */
  noObjPtr: Float32Array;
  /** (1,64): added to memory features where the object is absent (SAM2.1; optional). */
  noObjEmbedSpatial?: Float32Array;
}

/** A pack whose files exist and whose manifest and constants are valid. */
export interface LoadedPack {
  /** MODEL_PACK as given. */
  pack: string;
  dir: string;
  manifest: Manifest;
  /** Module role → absolute file path. */
  modulePaths: Record<string, string>;
  constants: HostConstants | null;
}

/** How much checksum work to do. `first`: verify unless this exact file version was verified. */
export type VerifyMode = 'first' | 'always' | 'never';

export interface LoadPackOptions {
  pack: string;
  modelsDir?: string;
  verify?: VerifyMode;
  /** Where verified (path, size, mtime, sha256) records are kept; default `<modelsDir>/.cache/verified.json`. */
  verifyCacheFile?: string;
}

/** The command that fetches a pack, quoted in MODEL_UNAVAILABLE messages. */
export function fetchCommand(pack: string): string {
  return `npm run models:fetch -- ${pack}`;
}

/** A pack value with a path separator (or starting with `.`) is a folder; otherwise a name under modelsDir. */
export function resolvePackDir(pack: string, modelsDir = DEFAULT_MODELS_DIR): string {
  const isPath = isAbsolute(pack) || pack.includes('/') || pack.includes('\\') || pack.startsWith('.');
  return isPath ? resolve(pack) : join(modelsDir, pack);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads, validates and checks a pack. Rejects with MODEL_UNAVAILABLE (details.reason says why). */
export async function loadPack(opts: LoadPackOptions): Promise<LoadedPack> {
  const modelsDir = opts.modelsDir ?? DEFAULT_MODELS_DIR;
  const dir = resolvePackDir(opts.pack, modelsDir);
  const fetch = fetchCommand(opts.pack);
  const manifestPath = join(dir, 'manifest.json');
  if (!(await exists(manifestPath))) {
    throw modelUnavailable(
      `Model pack "${opts.pack}" is not installed (${manifestPath} is missing). Run: ${fetch}`,
      {
        reason: 'missing' satisfies PackFailure,
        fetchCommand: fetch,
        missing: manifestPath,
      },
    );
  }
  let manifest: Manifest;
  try {
    manifest = validateManifest(JSON.parse(await readFile(manifestPath, 'utf8')), manifestPath);
  } catch (err) {
    const message =
      err instanceof ManifestError
        ? err.message
        : `${manifestPath} is not valid JSON: ${(err as Error).message}`;
    throw modelUnavailable(message, { reason: 'malformed' satisfies PackFailure });
  }

  const files = [...Object.values(manifest.modules), ...(manifest.constants ? [manifest.constants] : [])];
  for (const f of files) {
    const path = join(dir, f.file);
    if (!(await exists(path))) {
      throw modelUnavailable(
        `Model pack "${opts.pack}" is incomplete: ${f.file} is missing in ${dir}. Run: ${fetch}`,
        {
          reason: 'missing' satisfies PackFailure,
          fetchCommand: fetch,
          missing: path,
        },
      );
    }
  }
  if ((opts.verify ?? 'first') !== 'never') {
    await verifyChecksums(
      dir,
      files,
      opts.verify === 'always',
      opts.verifyCacheFile ?? join(modelsDir, '.cache', 'verified.json'),
    );
  }
  const modulePaths = Object.fromEntries(
    Object.entries(manifest.modules).map(([role, m]) => [role, join(dir, m.file)]),
  );
  const constants = manifest.constants
    ? await loadConstants(join(dir, manifest.constants.file), manifest.constants.keys)
    : null;
  return { pack: opts.pack, dir, manifest, modulePaths, constants };
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

type VerifyRecord = { size: number; mtimeMs: number; sha256: string };

async function verifyChecksums(
  dir: string,
  files: readonly { file: string; sha256?: string | undefined; bytes?: number | undefined }[],
  always: boolean,
  cacheFile: string,
): Promise<void> {
  let cache: Record<string, VerifyRecord> = {};
  try {
    cache = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, VerifyRecord>;
  } catch {
    // No cache yet (or unreadable): verify everything.
  }
  let changed = false;
  for (const f of files) {
    const path = join(dir, f.file);
    const st = await stat(path);
    if (f.bytes !== undefined && st.size !== f.bytes) {
      throw modelUnavailable(
        `${path} has ${st.size} bytes, the manifest says ${f.bytes}: the file is damaged or from another version`,
        {
          reason: 'checksum' satisfies PackFailure,
        },
      );
    }
    if (!f.sha256) continue;
    const hit = cache[path];
    if (!always && hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.sha256 === f.sha256)
      continue;
    const actual = await sha256File(path);
    if (actual !== f.sha256) {
      throw modelUnavailable(`Checksum mismatch for ${path}: expected sha256 ${f.sha256}, got ${actual}`, {
        reason: 'checksum' satisfies PackFailure,
        expected: f.sha256,
        actual,
      });
    }
    cache[path] = { size: st.size, mtimeMs: st.mtimeMs, sha256: actual };
    changed = true;
  }
  if (!changed) return;
  // Forget files that are gone (temporary packs), so the record does not grow without bound.
  for (const path of Object.keys(cache)) if (!existsSync(path)) delete cache[path];
  try {
    await mkdir(dirname(cacheFile), { recursive: true });
    await writeFile(cacheFile, JSON.stringify(cache, null, 1));
  } catch {
    // A read-only models dir only costs a re-verification at the next start.
  }
}

const CONSTANT_SHAPES = {
  maskmemTposEnc: [7, 1, 1, 64],
  noMemEmbed: [1, 1, 256],
  noMemPosEnc: [1, 1, 256],
  noObjPtr: [1, 256],
  noObjEmbedSpatial: [1, 64],
} as const;

/** Loads the host constants from an `.npz` and checks each shape. */
export async function loadConstants(
  path: string,
  keys: Record<string, string | undefined>,
): Promise<HostConstants> {
  let arrays: ReturnType<typeof readNpz>;
  try {
    arrays = readNpz(await readFile(path), path);
  } catch (err) {
    throw modelUnavailable(`Cannot read host constants ${path}: ${(err as Error).message}`, {
      reason: 'constants',
    });
  }
  const out: Partial<Record<keyof HostConstants, Float32Array>> = {};
  for (const [name, shape] of Object.entries(CONSTANT_SHAPES) as [keyof HostConstants, readonly number[]][]) {
    const key = keys[name];
    if (key === undefined) continue;
    const arr = arrays.get(key);
    if (!arr) {
      throw modelUnavailable(
        `${path} has no array "${key}" (constant ${name}); it holds: ${[...arrays.keys()].join(', ')}`,
        {
          reason: 'constants',
        },
      );
    }
    if (arr.dtype !== 'float32' || arr.shape.join(',') !== shape.join(',')) {
      throw modelUnavailable(
        `Constant ${name} ("${key}" in ${path}) is ${arr.dtype} (${arr.shape.join(',')}), expected float32 (${shape.join(',')})`,
        { reason: 'constants' },
      );
    }
    out[name] = arr.data;
  }
  return out as HostConstants;
}
