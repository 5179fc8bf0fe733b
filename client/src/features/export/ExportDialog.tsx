import type { MediaKind, TrackedObject } from '@roto/shared';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import {
  cancelExport,
  downloadFile,
  type ExportJob,
  exportFileUrl,
  getExport,
  listExportFormats,
  overlayVideoUrl,
  startExport,
} from '../../api/exports.ts';
import { sessionToken } from '../../api/tokens.ts';
import { ProgressBar } from '../../ui/ProgressBar.tsx';

interface Props {
  sessionId: string;
  kind: MediaKind;
  objects: readonly TrackedObject[];
  onClose(): void;
}

const POLL_MS = 500;

/**
 * Export: pick a format (and objects), follow the job's progress, download the file. On a server
 * without the export jobs API, the overlay video (rendered while the request waits) is offered.
 */
export function ExportDialog({ sessionId, kind, objects, onClose }: Props) {
  const token = sessionToken(sessionId);
  const formats = useQuery({
    queryKey: ['export-formats'],
    queryFn: listExportFormats,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const usable = formats.data?.filter((f) => f.kinds.includes(kind)) ?? [];
  const [format, setFormat] = useState<string>('');
  const [chosen, setChosen] = useState<ReadonlySet<number>>(() => new Set(objects.map((o) => o.id)));
  const [job, setJob] = useState<ExportJob | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const selectedFormat = format || usable[0]?.id || '';

  // Follow a running job until it ends.
  useEffect(() => {
    if (!job || (job.status.state !== 'queued' && job.status.state !== 'running')) return;
    const t = setTimeout(() => {
      getExport(sessionId, token, job.jobId).then(setJob, (err: Error) => setError(err.message));
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [job, sessionId, token]);

  useEffect(() => () => abort.current?.abort(), []);

  const start = async () => {
    setError(null);
    try {
      const ids = chosen.size === objects.length ? undefined : [...chosen];
      setJob(await startExport(sessionId, token, selectedFormat, ids));
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const download = async (url: string, name: string, label: string) => {
    setError(null);
    setBusy(label);
    abort.current = new AbortController();
    try {
      await downloadFile(url, token, name, abort.current.signal);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const s = job?.status;
  return (
    <div className="modal-backdrop">
      <dialog open className="modal export-dialog" aria-label="Export">
        <h2>Export</h2>
        {objects.length === 0 && (
          <p className="muted">There are no objects yet: exports would hold no masks.</p>
        )}
        {formats.isPending && <p>Asking the server what it can export…</p>}
        {formats.isError && <p className="error">{formats.error.message}</p>}
        {formats.data === null && (
          <div className="export-fallback">
            <p className="muted">
              This server offers the overlay video: every frame with the masks blended in.
            </p>
            <button
              type="button"
              disabled={kind !== 'video' || busy !== null}
              data-testid="export-overlay"
              onClick={() =>
                void download(overlayVideoUrl(sessionId), 'overlay.mp4', 'Rendering the overlay video…')
              }
            >
              Overlay video (MP4)
            </button>
            {kind !== 'video' && <p className="muted">An image session has no video to export.</p>}
          </div>
        )}
        {usable.length > 0 && (
          <>
            <fieldset className="export-formats">
              <legend>Format</legend>
              {usable.map((f) => (
                <label key={f.id}>
                  <input
                    type="radio"
                    name="format"
                    value={f.id}
                    checked={selectedFormat === f.id}
                    onChange={() => setFormat(f.id)}
                  />{' '}
                  {f.label}
                </label>
              ))}
            </fieldset>
            {objects.length > 1 && (
              <fieldset className="export-objects">
                <legend>Objects</legend>
                {objects.map((o) => (
                  <label key={o.id}>
                    <input
                      type="checkbox"
                      checked={chosen.has(o.id)}
                      onChange={(e) => {
                        const next = new Set(chosen);
                        if (e.target.checked) next.add(o.id);
                        else next.delete(o.id);
                        setChosen(next);
                      }}
                    />{' '}
                    <span className="swatch" style={{ background: o.color }} /> {o.name}
                  </label>
                ))}
              </fieldset>
            )}
            <button
              type="button"
              onClick={() => void start()}
              disabled={chosen.size === 0 || s?.state === 'queued' || s?.state === 'running'}
              data-testid="export-start"
            >
              Export
            </button>
          </>
        )}
        {job && s && (
          <div className="export-job" data-testid="export-job" data-state={s.state}>
            {s.state === 'queued' && <span>Waiting for a free slot…</span>}
            {s.state === 'running' && (
              <ProgressBar
                done={s.progress.done}
                total={s.progress.total}
                label={`${s.progress.done} / ${s.progress.total}`}
              />
            )}
            {(s.state === 'queued' || s.state === 'running') && (
              <button
                type="button"
                onClick={() =>
                  void cancelExport(sessionId, token, job.jobId).then(() =>
                    getExport(sessionId, token, job.jobId).then(setJob),
                  )
                }
              >
                Cancel
              </button>
            )}
            {s.state === 'finished' && (
              <button
                type="button"
                onClick={() =>
                  void download(exportFileUrl(sessionId, job.jobId), s.file.fileName, 'Downloading…')
                }
              >
                Download {s.file.fileName} ({formatSize(s.file.bytes)})
              </button>
            )}
            {s.state === 'failed' && <p className="error">Export failed: {s.error.message}</p>}
            {s.state === 'cancelled' && <p className="muted">Export cancelled: {s.reason}</p>}
          </div>
        )}
        {busy && (
          <p aria-live="polite" data-testid="export-busy">
            {busy}{' '}
            <button type="button" onClick={() => abort.current?.abort()}>
              Cancel
            </button>
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </dialog>
    </div>
  );
}

/** 812 KB, 3.4 MB. */
function formatSize(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
