/** A progress bar; with `total` 0 (unknown) it shows an indeterminate bar. */
export function ProgressBar({ done, total, label }: { done: number; total: number; label?: string }) {
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : null;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct === null ? undefined : Math.round(pct)}
    >
      <div
        className={`progress-fill${pct === null ? ' indeterminate' : ''}`}
        style={{ width: pct === null ? '30%' : `${pct}%` }}
      />
      {label && <span className="progress-label">{label}</span>}
    </div>
  );
}
