import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RotoError } from '@roto/shared';
import busboy from 'busboy';
import type { TempFiles } from '../../ingest/temp-files.ts';

/** Options of {@link receiveUpload}. */
export interface UploadOptions {
  /** MAX_UPLOAD_MB in bytes: the file part may not exceed it. */
  maxBytes: number;
  /** Names the temp file (and lets progress be told apart). */
  label: string;
  /** Bytes written so far and the request's declared length (0 when chunked). */
  onProgress?: (done: number, total: number) => void;
}

/** A received upload: a temp file the caller now owns. */
export interface ReceivedUpload {
  path: string;
  bytes: number;
  /** The name the browser sent (informational only: the type is sniffed from the bytes). */
  fileName: string | undefined;
}

/** Room for the multipart envelope (boundaries, part headers, a few small fields) around the file. */
const ENVELOPE_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): RotoError {
  const mib = (maxBytes / 1024 / 1024).toLocaleString('en', { maximumFractionDigits: 1 });
  return new RotoError(
    'PAYLOAD_TOO_LARGE',
    `The upload is larger than ${mib} MiB, the most this server accepts (MAX_UPLOAD_MB).`,
    {
      maxBytes,
    },
  );
}

/**
 * Streams the `file` part of a `multipart/form-data` request to a temp file, never holding it in
 * memory. A request whose declared length is over the cap is refused before any byte is read; a
 * chunked one is cut at the cap. On every failure the temp file is removed. Errors:
 * PAYLOAD_TOO_LARGE, INVALID_INPUT (malformed multipart, no `file` part).
 */
export async function receiveUpload(
  req: IncomingMessage,
  temp: TempFiles,
  options: UploadOptions,
): Promise<ReceivedUpload> {
  const { maxBytes } = options;
  const declared = Number(req.headers['content-length'] ?? 0) || 0;
  if (declared > maxBytes + ENVELOPE_BYTES) {
    req.resume(); // discard what is still coming, so the client reads the 413 instead of a reset
    throw tooLarge(maxBytes);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { files: 1, fileSize: maxBytes, fields: 16, fieldSize: 16 * 1024, parts: 32 },
    });
  } catch (err) {
    req.resume();
    throw new RotoError(
      'INVALID_INPUT',
      `The upload is not valid multipart/form-data: ${(err as Error).message}.`,
    );
  }

  const path = await temp.newPath(options.label);
  let writing: Promise<void> | undefined;
  let part: (NodeJS.ReadableStream & { destroy(error?: Error): void }) | undefined;
  let truncated = false;
  let bytes = 0;
  let fileName: string | undefined;

  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || writing) {
        stream.resume();
        return;
      }
      fileName = info.filename || undefined;
      part = stream;
      stream.on('limit', () => {
        truncated = true;
      });
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          options.onProgress?.(bytes, declared);
          callback(null, chunk);
        },
      });
      writing = pipeline(stream, counter, createWriteStream(path));
      // Keep the promise observed: its failure is reported through `await writing` below.
      writing.catch(() => {});
    });
    parser.on('close', resolve);
    parser.on('error', (err: Error) =>
      reject(new RotoError('INVALID_INPUT', `The upload is not valid multipart/form-data: ${err.message}.`)),
    );
    // A client that goes away leaves busboy waiting for the rest of the body: stop on `close`.
    req.on('close', () => {
      if (!req.complete) reject(new RotoError('CANCELLED', 'The upload was interrupted.'));
    });
  });
  req.pipe(parser);

  try {
    await parsed;
    if (!writing) {
      throw new RotoError(
        'INVALID_INPUT',
        'The upload has no file: send the video or image in a multipart field named "file".',
      );
    }
    await writing;
    if (truncated) throw tooLarge(maxBytes);
    return { path, bytes, fileName };
  } catch (err) {
    req.unpipe(parser);
    req.resume();
    // Ends the pipeline to the temp file if the part is still open (interrupted upload).
    part?.destroy(err as Error);
    await writing?.catch(() => {});
    await temp.remove(path);
    throw err;
  }
}
