import type { Direction } from '@roto/shared';
import { useState } from 'react';
import type { SessionConnection } from '../../realtime/connection.ts';
import { ProgressBar } from '../../ui/ProgressBar.tsx';

interface Props {
  conn: SessionConnection;
  canEdit: boolean;
  selectedObjectId: number | null;
}

/**
 * Start tracking forward, backward or both ways (every object, or only the selected one); a
 * running job's progress (fps, ETA) and cancel; how the last job ended.
 */
export function PropagationPanel({ conn, canEdit, selectedObjectId }: Props) {
  const doc = conn.doc!;
  const [error, setError] = useState<string | null>(null);
  const [onlySelected, setOnlySelected] = useState(false);
  const selected = doc.objects.find((o) => o.id === selectedObjectId);
  const running = [...doc.jobs.values()];
  const hasPrompts = doc.prompts.size > 0;

  const start = async (direction: Direction) => {
    setError(null);
    const res = await conn.send('propagation:start', {
      direction,
      ...(onlySelected && selected ? { objectIds: [selected.id] } : {}),
    });
    if (!res.ok) setError(res.error.message);
  };
  const cancel = async (jobId: string) => {
    const res = await conn.send('job:cancel', { jobId });
    if (!res.ok) setError(res.error.message);
  };

  return (
    <section className="panel propagation-panel" aria-label="Propagation">
      <h2>Propagate</h2>
      <div className="button-row">
        {(['backward', 'both', 'forward'] as const).map((d) => (
          <button
            key={d}
            type="button"
            disabled={!canEdit || !hasPrompts || running.length > 0}
            onClick={() => void start(d)}
            data-testid={`propagate-${d}`}
          >
            {d === 'backward' ? '◀ Backward' : d === 'forward' ? 'Forward ▶' : '◀ Both ▶'}
          </button>
        ))}
      </div>
      {selected && (
        <label className="only-selected">
          <input type="checkbox" checked={onlySelected} onChange={(e) => setOnlySelected(e.target.checked)} />{' '}
          only {selected.name}
        </label>
      )}
      {!hasPrompts && (
        <p className="muted">Click an object first; propagation tracks it through the video.</p>
      )}
      {running.map(({ job, progress }) => (
        <div
          key={job.jobId}
          className="job"
          data-testid="job-progress"
          data-done={progress.done}
          data-total={progress.total}
        >
          <span>
            {job.direction} by {job.startedBy}: {progress.done} / {progress.total}
          </span>
          <ProgressBar
            done={progress.done}
            total={progress.total}
            label={`${progress.fps.toFixed(1)} fps${progress.etaSec !== null ? ` · ETA ${formatEta(progress.etaSec)}` : ''}`}
          />
          <button type="button" onClick={() => void cancel(job.jobId)} disabled={!canEdit}>
            Cancel
          </button>
        </div>
      ))}
      {running.length === 0 && doc.lastOutcome && (
        <p className={doc.lastOutcome.kind === 'failed' ? 'error' : 'muted'} data-testid="job-outcome">
          {doc.lastOutcome.message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function formatEta(sec: number): string {
  if (sec < 60) return `${Math.ceil(sec)} s`;
  return `${Math.floor(sec / 60)} min ${Math.ceil(sec % 60)} s`;
}
