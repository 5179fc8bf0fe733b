import type { ExportJob, MediaKind, TrackedObject } from '@roto/shared';
import { toFailure } from '@roto/shared';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { listExportFormats } from '../../api/exports.ts';
import type { SessionConnection } from '../../realtime/connection.ts';
import { ProgressBar } from '../../ui/ProgressBar.tsx';

interface Props {
  conn: SessionConnection;
  kind: MediaKind;
  objects: readonly TrackedObject[];
  onClose(): void;
}

/**
 * Export: pick a format (those that apply to this session's kind) and objects, start it; the
 * progress and the download link come from the `export:*` notices pushed to everyone in the
 * session, so a collaborator sees an export someone else started and can download it too.
 */
export function ExportDialog({ conn, kind, objects, onClose }: Props) {
  const formats = useQuery({
    queryKey: ['export-formats'],
    queryFn: listExportFormats,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const usable = formats.data?.filter((f) => f.kinds.includes(kind)) ?? [];
  const [format, setFormat] = useState<string>('');
  const [chosen, setChosen] = useState<ReadonlySet<number>>(() => new Set(objects.map((o) => o.id)));
  const [error, setError] = useState<string | null>(null);
  const selectedFormat = format || usable[0]?.id || '';
  // The newest job first: the one just started, or the one a collaborator is running.
  const jobs = [...conn.exports.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const running = jobs.some((j) => j.status.state === 'queued' || j.status.state === 'running');

  const start = async () => {
    setError(null);
    const client = conn.client;
    if (!client) return setError('Not connected to the session yet.');
    try {
      const ids = chosen.size === objects.length ? undefined : [...chosen];
      conn.trackExport(await client.startExport(selectedFormat, ids ? { objectIds: ids } : {}));
    } catch (err) {
      setError(toFailure(err).error.message);
    }
  };

  const cancel = async (jobId: string) => {
    try {
      await conn.client?.cancelExport(jobId);
    } catch (err) {
      setError(toFailure(err).error.message);
    }
  };

  return (
    <div className="modal-backdrop">
      <dialog open className="modal export-dialog" aria-label="Export">
        <h2>Export</h2>
        {objects.length === 0 && (
          <p className="muted">There are no objects yet: exports would hold no masks.</p>
        )}
        {formats.isPending && <p>Asking the server what it can export…</p>}
        {formats.isError && <p className="error">{formats.error.message}</p>}
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
              disabled={chosen.size === 0 || running}
              data-testid="export-start"
            >
              Export
            </button>
          </>
        )}
        {jobs.length > 0 && (
          <ul className="export-jobs">
            {jobs.map((job) => (
              <ExportJobRow key={job.jobId} job={job} conn={conn} onCancel={() => void cancel(job.jobId)} />
            ))}
          </ul>
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

/** One export: its progress while it runs, its download link once finished. */
function ExportJobRow({
  job,
  conn,
  onCancel,
}: {
  job: ExportJob;
  conn: SessionConnection;
  onCancel(): void;
}) {
  const s = job.status;
  return (
    <li className="export-job" data-testid="export-job" data-state={s.state} data-format={job.format}>
      <span className="muted">{job.format}</span>{' '}
      {s.state === 'queued' && <span>Waiting for a free slot…</span>}
      {s.state === 'running' && (
        <ProgressBar
          done={s.progress.done}
          total={s.progress.total}
          label={`${s.progress.done} / ${s.progress.total}${s.progress.fps ? ` · ${Math.round(s.progress.fps)}/s` : ''}`}
        />
      )}
      {(s.state === 'queued' || s.state === 'running') && (
        <button type="button" onClick={onCancel} disabled={conn.role !== 'editor'}>
          Cancel
        </button>
      )}
      {s.state === 'finished' && conn.client && (
        // The server names the file (Content-Disposition); the link carries this tab's token.
        <a href={conn.client.exportFileUrl(job.jobId)} download data-testid="export-download">
          Download {s.file.fileName} ({formatSize(s.file.bytes)})
        </a>
      )}
      {s.state === 'failed' && <p className="error">Export failed: {s.error.message}</p>}
      {s.state === 'cancelled' && <p className="muted">Export cancelled: {s.reason}</p>}
    </li>
  );
}

/** 812 KB, 3.4 MB. */
function formatSize(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
