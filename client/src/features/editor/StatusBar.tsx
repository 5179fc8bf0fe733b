import type { SessionConnection } from '../../realtime/connection.ts';
import { ModelStatus } from '../../ui/ModelStatus.tsx';

/** Connection state, queued edits, the model pack, zoom. */
export function StatusBar({ conn, zoom }: { conn: SessionConnection; zoom: number }) {
  const s = conn.state;
  const queued = conn.pendingCount();
  const label =
    s.kind === 'joined'
      ? s.role === 'viewer'
        ? 'connected · view only'
        : 'connected'
      : s.kind === 'reconnecting'
        ? 'reconnecting…'
        : s.kind === 'connecting'
          ? 'connecting…'
          : s.kind === 'revoked'
            ? `link ${s.reason}`
            : `error: ${s.error.message}`;
  return (
    <footer className="status-bar editor-status" data-testid="status-bar">
      <span className={`conn conn-${s.kind}`} data-testid="connection-state" data-state={s.kind}>
        ● {label}
      </span>
      {queued > 0 && (
        <span data-testid="queued" title="Sent when the connection is back; nothing is lost">
          {queued} edit{queued === 1 ? '' : 's'} {s.kind === 'joined' ? 'in flight' : 'queued'}
        </span>
      )}
      <ModelStatus compact />
      <span className="muted">zoom {Math.round(zoom * 100)}%</span>
      <span className="muted">press ? for keys</span>
    </footer>
  );
}
