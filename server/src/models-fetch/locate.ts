import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's `models/` folder, found from this file so that any working directory works. */
export const REPO_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');

/** The pack the server loads when `MODEL_PACK` is unset. */
export const DEFAULT_PACK = 'test-tiny';

/** Where the CLI looks for packs, resolved once from flags and environment. */
export interface ModelsLocation {
  /** Folder holding one sub-folder per pack. */
  modelsDir: string;
  /** `MODEL_PACK` as configured (a pack name or a folder path). */
  activePack: string;
  /** The active pack's folder. */
  activeDir: string;
  /** Base for relative paths: where the user typed the command. */
  cwd: string;
}

/**
 * Resolves the models folder and the active pack. Relative paths are taken from where the user
 * ran the command: npm runs workspace scripts inside `server/`, but sets `INIT_CWD` to the
 * directory npm was started from.
 */
export function locateModels(env: NodeJS.ProcessEnv, cwd: string, dirFlag?: string): ModelsLocation {
  const base = env.INIT_CWD && isAbsolute(env.INIT_CWD) ? env.INIT_CWD : cwd;
  const modelsDir = dirFlag
    ? resolve(base, dirFlag)
    : env.MODELS_DIR
      ? resolve(base, env.MODELS_DIR)
      : REPO_MODELS_DIR;
  const activePack = env.MODEL_PACK?.trim() || DEFAULT_PACK;
  return { modelsDir, activePack, activeDir: packDir(activePack, modelsDir, base), cwd: base };
}

/** True when a pack argument names a folder path rather than a pack under the models folder. */
export function isPathLike(pack: string): boolean {
  return pack.includes('/') || pack.includes('\\') || pack.startsWith('.') || isAbsolute(pack);
}

/** The folder of a pack given by name (under `modelsDir`) or by path (relative to `base`). */
export function packDir(pack: string, modelsDir: string, base: string): string {
  return isPathLike(pack) ? resolve(base, pack) : join(modelsDir, pack);
}

/** True when `path` is an existing directory. */
export function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
