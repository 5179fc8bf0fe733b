import { ApiError, problemToError, requestJson } from './http.ts';
import { SESSIONS_URL } from './sessions.ts';
import { authHeaders } from './tokens.ts';

/**
 * Exports over REST. Two server surfaces exist: the export jobs API (`/api/v1/export-formats`,
 * `/api/v1/sessions/:id/exports…`: every format, progress, download) and the one-shot overlay video
 * (`GET /export/:id`, rendered while the request waits). The dialog uses the jobs API when the
 * server serves it and the overlay video otherwise.
 */

/** An export format as `GET /api/v1/export-formats` lists it. */
export interface ExportFormat {
  id: string;
  label: string;
  extension: string;
  mime: string;
  kinds: Array<'video' | 'image'>;
}

/** An export job as the server shows it. */
export interface ExportJob {
  jobId: string;
  format: string;
  objectIds?: number[];
  createdAt: string;
  status:
    | { state: 'queued' }
    | { state: 'running'; progress: { done: number; total: number } }
    | { state: 'finished'; file: { bytes: number; mime: string; fileName: string } }
    | { state: 'failed'; error: { code: string; message: string } }
    | { state: 'cancelled'; reason: string };
}

/** The formats, or null when this server has no export jobs API (404). */
export async function listExportFormats(): Promise<ExportFormat[] | null> {
  try {
    return (await requestJson<{ formats: ExportFormat[] }>('/api/v1/export-formats')).formats;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

function exportsUrl(sessionId: string): string {
  return `${SESSIONS_URL}/${encodeURIComponent(sessionId)}/exports`;
}

/** Starts an export job. */
export function startExport(
  sessionId: string,
  token: string | undefined,
  format: string,
  objectIds?: number[],
): Promise<ExportJob> {
  return requestJson(exportsUrl(sessionId), {
    method: 'POST',
    token,
    body: { format, ...(objectIds ? { objectIds } : {}) },
  });
}

/** One job's state. */
export function getExport(sessionId: string, token: string | undefined, jobId: string): Promise<ExportJob> {
  return requestJson(`${exportsUrl(sessionId)}/${encodeURIComponent(jobId)}`, { token });
}

/** Cancels a running job (or removes an ended one). */
export function cancelExport(sessionId: string, token: string | undefined, jobId: string): Promise<unknown> {
  return requestJson(`${exportsUrl(sessionId)}/${encodeURIComponent(jobId)}`, { method: 'DELETE', token });
}

/** Where a finished job's file is. */
export function exportFileUrl(sessionId: string, jobId: string): string {
  return `${exportsUrl(sessionId)}/${encodeURIComponent(jobId)}/file`;
}

/** The one-shot overlay video of a session. */
export function overlayVideoUrl(sessionId: string): string {
  return `/export/${encodeURIComponent(sessionId)}`;
}

/**
 * Downloads `url` (with the session's token as a header, which a plain link cannot send) and
 * hands it to the browser as a file named after the server's `Content-Disposition`.
 */
export async function downloadFile(
  url: string,
  token: string | undefined,
  fallbackName: string,
  signal?: AbortSignal,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { headers: authHeaders(token), ...(signal ? { signal } : {}) });
  } catch (err) {
    if (signal?.aborted) throw new ApiError('CANCELLED', 'Export cancelled.', 0);
    throw new ApiError('INTERNAL', `Cannot reach the server: ${(err as Error).message}`, 0);
  }
  if (!res.ok) throw problemToError(res.status, await res.text());
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') ?? '';
  const name =
    /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ?? /filename="([^"]+)"/i.exec(disposition)?.[1];
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name ? decodeURIComponent(name) : fallbackName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}
