/**
 * Serving a finished export file: a strong ETag (a job's file never changes once written, so the
 * job id names its content) with `If-None-Match` → 304, single byte ranges (206, and 416 with
 * `Content-Range: bytes *\/size` when none of the file is in range; `If-Range` honoured), and
 * `Content-Disposition: attachment` with an RFC 6266 / 8187 `filename*` for any name. A client
 * that goes away mid-download just ends the stream (Koa destroys it when the response closes).
 */
import { createReadStream } from 'node:fs';
import type { AppContext } from '../http/context.ts';

/** A file to send. */
export interface FileToSend {
  path: string;
  bytes: number;
  mime: string;
  fileName: string;
  /** A strong entity tag, quotes included. */
  etag: string;
}

/** `attachment` with an ASCII `filename` fallback and the exact name as `filename*` (RFC 8187). */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/** True when an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 §13.1.2 says). */
function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/**
 * The range asked for, as `[start, end]` inclusive: `null` to send the whole file (no header, a
 * header this server ignores — several ranges, another unit, bad syntax — or an `If-Range` that
 * no longer matches), `'unsatisfiable'` when the range lies wholly past the end.
 */
export function requestedRange(
  header: string | undefined,
  size: number,
  ifRange: string | undefined,
  etag: string,
): [number, number] | 'unsatisfiable' | null {
  if (!header) return null;
  // A Range with an If-Range that is not our strong tag (or is a date) asks for the whole file.
  if (ifRange && ifRange.trim() !== etag) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(a);
  // RFC 9110 §14.1.1: last < first makes the range invalid, and an invalid Range is ignored.
  if (b !== '' && Number(b) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return [start, b === '' ? size - 1 : Math.min(Number(b), size - 1)];
}

/** Answers `ctx` with `file`: 200, 206, 304 or 416. */
export function sendFile(ctx: AppContext, file: FileToSend): void {
  ctx.set('ETag', file.etag);
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Cache-Control', 'private, no-cache');
  ctx.set('Content-Disposition', attachment(file.fileName));
  const inm = ctx.get('If-None-Match');
  if (inm && noneMatch(inm, file.etag)) {
    ctx.status = 304;
    return;
  }
  const range = requestedRange(
    ctx.get('Range') || undefined,
    file.bytes,
    ctx.get('If-Range') || undefined,
    file.etag,
  );
  if (range === 'unsatisfiable') {
    ctx.status = 416;
    ctx.set('Content-Range', `bytes */${file.bytes}`);
    ctx.body = `The range ${ctx.get('Range')} is not in this ${file.bytes}-byte file`;
    return;
  }
  ctx.type = file.mime;
  if (range) {
    const [start, end] = range;
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${start}-${end}/${file.bytes}`);
    ctx.length = end - start + 1;
    // HEAD: Koa answers with the headers and never reads a body.
    if (ctx.method !== 'HEAD') ctx.body = createReadStream(file.path, { start, end });
    return;
  }
  ctx.status = 200;
  ctx.length = file.bytes;
  if (ctx.method !== 'HEAD') ctx.body = createReadStream(file.path);
}
