import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from './errors.ts';

/** A file found by `walkFiles`: its path relative to the walked root (with `/`) and its size. */
export interface WalkedFile {
  name: string;
  bytes: number;
}

/** Every regular file under `root`, recursively; an absent root yields nothing. */
export async function walkFiles(root: string, prefix = ''): Promise<WalkedFile[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  const files: WalkedFile[] = [];
  for (const entry of entries) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    const path = join(root, entry.name);
    if (entry.isDirectory()) files.push(...(await walkFiles(path, name)));
    else if (entry.isFile()) {
      try {
        files.push({ name, bytes: (await stat(path)).size });
      } catch (err) {
        // Deleted between readdir and stat: it no longer uses space.
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
  }
  return files;
}
