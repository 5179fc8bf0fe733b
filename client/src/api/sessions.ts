import { type SessionCreated, type SessionDetails, type SessionList, SessionListSchema } from '@roto/shared';
import { useQuery } from '@tanstack/react-query';
import { ApiError, getJson, problemToError } from './http.ts';
import { rememberOwnerToken, sessionToken } from './tokens.ts';

/** The sessions REST API base (server/src/http/sessions/router.ts). */
export const SESSIONS_URL = '/api/v1/sessions';

/** URL of frame `n` of a session (JPEG, immutable). */
export function frameUrl(sessionId: string, n: number): string {
  return `${SESSIONS_URL}/${encodeURIComponent(sessionId)}/frames/${n}`;
}

/** Recent sessions, most recently active first. */
export function useRecentSessions() {
  return useQuery({
    queryKey: ['sessions'],
    queryFn: async () => SessionListSchema.parse(await getJson<SessionList>(`${SESSIONS_URL}?limit=24`)),
    // No timer: the list is read when the page opens or regains focus. A session's own ingest
    // progress is pushed to whoever has it open.
  });
}

/**
 * One session's details, read once: while it is ingesting, its progress is pushed over Socket.IO
 * (`useIngestWatch`), and the page reads the details again when the ingest has finished.
 */
export function useSessionDetails(sessionId: string | null) {
  return useQuery({
    queryKey: ['session', sessionId],
    enabled: sessionId !== null,
    queryFn: () =>
      getJson<SessionDetails>(
        `${SESSIONS_URL}/${encodeURIComponent(sessionId ?? '')}`,
        sessionToken(sessionId ?? ''),
      ),
  });
}

/** The thumbnail strip of a session (sprite + tile positions). */
export interface Thumbnails {
  spriteUrl: string;
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  tiles: Array<{ frame: number; x: number; y: number }>;
}

export function useThumbnails(sessionId: string) {
  return useQuery({
    queryKey: ['thumbnails', sessionId],
    queryFn: () =>
      getJson<Thumbnails>(
        `${SESSIONS_URL}/${encodeURIComponent(sessionId)}/thumbnails`,
        sessionToken(sessionId),
      ),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Upload progress: bytes sent of the total. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Uploads a file as `multipart/form-data` (`file` field) with XHR so the bytes sent can be shown
 * (fetch has no upload progress). Resolves with the created session, which is then ingesting.
 */
export function uploadFile(
  file: File,
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<SessionCreated> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', SESSIONS_URL);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) =>
      onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      if (xhr.status === 201) resolve(remember(JSON.parse(xhr.responseText) as SessionCreated));
      else reject(problemToError(xhr.status, xhr.responseText));
    };
    xhr.onerror = () =>
      reject(new ApiError('INTERNAL', 'The upload was interrupted: the server cannot be reached.', 0));
    xhr.onabort = () => reject(new ApiError('CANCELLED', 'Upload cancelled.', 0));
    signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** Keeps the owner token a created session comes with (it manages share links). */
function remember(created: SessionCreated & { ownerToken?: string }): SessionCreated {
  if (created.ownerToken) rememberOwnerToken(created.sessionId, created.ownerToken);
  return created;
}

/** Creates a session from a URL the server downloads. */
export async function createFromUrl(url: string): Promise<SessionCreated> {
  let res: Response;
  try {
    res = await fetch(SESSIONS_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    });
  } catch {
    throw new ApiError('INTERNAL', 'Cannot reach the server. Check your connection.', 0);
  }
  if (res.status !== 201) throw problemToError(res.status, await res.text());
  return remember((await res.json()) as SessionCreated);
}
