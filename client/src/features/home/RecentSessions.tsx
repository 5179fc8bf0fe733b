import { useRecentSessions } from '../../api/sessions.ts';
import { sessionToken, withToken } from '../../api/tokens.ts';
import { editorPath, navigate } from '../../app/router.ts';

/** Recent sessions with their poster frame; a click opens the editor. */
export function RecentSessions() {
  const list = useRecentSessions();
  return (
    <section className="recent" aria-label="Recent sessions">
      <h2>Recent sessions</h2>
      {list.isPending && <p>Loading…</p>}
      {list.isError && (
        <p className="error" role="alert">
          Cannot list sessions: {list.error.message}
        </p>
      )}
      {list.data?.sessions.length === 0 && <p className="muted">No sessions yet. Bring a video above.</p>}
      <ul className="session-grid">
        {list.data?.sessions.map((s) => (
          <li key={s.sessionId}>
            <a
              href={editorPath(s.sessionId)}
              data-testid="recent-session"
              onClick={(e) => {
                e.preventDefault();
                navigate(editorPath(s.sessionId));
              }}
            >
              {s.posterUrl ? (
                <img src={withToken(s.posterUrl, sessionToken(s.sessionId))} alt="" loading="lazy" />
              ) : (
                <div className="poster-placeholder">{s.status}</div>
              )}
              <span>
                {s.media.kind === 'video'
                  ? `${s.media.frameCount} frames · ${s.media.width}×${s.media.height}`
                  : `image ${s.media.width}×${s.media.height}`}
                {s.status !== 'ready' && ` · ${s.status}`}
              </span>
              <time dateTime={s.lastActivityAt}>{new Date(s.lastActivityAt).toLocaleString()}</time>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
