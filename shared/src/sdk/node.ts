/**
 * `@roto/shared/sdk/node`: the Node side of uploads. Browsers hand `createSession` a `File`;
 * Node programs get one from a path here (streamed from disk, not read into memory).
 */
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';

/** A file on disk as the `{ file, fileName }` source of `RotoApi.createSession`. */
export async function fileFromPath(path: string): Promise<{ file: Blob; fileName: string }> {
  return { file: await openAsBlob(path), fileName: basename(path) };
}
