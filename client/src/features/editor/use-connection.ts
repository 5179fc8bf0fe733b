import { useEffect, useState, useSyncExternalStore } from 'react';
import { sessionToken } from '../../api/tokens.ts';
import { clientId, userName } from '../../app/identity.ts';
import { SessionConnection } from '../../realtime/connection.ts';

/** Opens the session's realtime connection for the lifetime of the editor (and closes it after). */
export function useSessionConnection(sessionId: string, enabled: boolean): SessionConnection | null {
  const [conn, setConn] = useState<SessionConnection | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const c = new SessionConnection({
      sessionId,
      user: { name: userName() },
      clientId: clientId(),
      token: sessionToken(sessionId),
    });
    setConn(c);
    // Tests and the bench read the live connection from here (e.g. to drop it on purpose).
    (window as unknown as { __rotoConnection?: SessionConnection }).__rotoConnection = c;
    return () => {
      c.close();
      setConn(null);
    };
  }, [sessionId, enabled]);
  return conn;
}

/** Re-renders whenever the connection's state or document changes; returns its version string. */
export function useConnectionVersion(conn: SessionConnection | null): string {
  return useSyncExternalStore(
    (cb) => (conn ? conn.subscribe(cb) : () => {}),
    () => conn?.version() ?? 'none',
  );
}
