import { type IngestProgressedFact, toFailure } from '@roto/shared';
import { RotoClient } from '@roto/shared/sdk';
import { useEffect, useState } from 'react';
import { sessionToken } from '../api/tokens.ts';
import { clientId, userName } from '../app/identity.ts';

/**
 * Where a session's ingest stands, as pushed by the server over Socket.IO (R22): the page joins
 * the session while it is still being decoded and listens to `ingest:progressed|finished|failed`.
 * Nothing is polled.
 */
export type IngestWatch =
  | { kind: 'joining' }
  | { kind: 'progress'; progress: Omit<IngestProgressedFact, 'type'> | null }
  | { kind: 'finished' }
  | { kind: 'failed'; code: string; message: string };

/**
 * Follows the ingest of `sessionId` (null: nothing to follow) with a realtime client that joins
 * with the session's token (the owner's after an upload, a link's otherwise). The client is closed
 * as soon as the ingest ends, either way; the editor opens its own connection after.
 */
export function useIngestWatch(sessionId: string | null): IngestWatch {
  // Tagged with its session, so a new upload never sees the end of the previous one.
  const [tagged, setTagged] = useState<{ sessionId: string | null; state: IngestWatch }>({
    sessionId: null,
    state: { kind: 'joining' },
  });
  useEffect(() => {
    if (!sessionId) return;
    const setState = (state: IngestWatch) => setTagged({ sessionId, state });
    let closed = false;
    let client: RotoClient | null = null;
    const end = (next: IngestWatch) => {
      if (closed) return;
      closed = true;
      setState(next);
      client?.close();
    };
    const token = sessionToken(sessionId);
    RotoClient.connect({
      url: window.location.origin,
      sessionId,
      user: { name: userName() },
      clientId: clientId(),
      ...(token ? { token } : {}),
    }).then(
      (c) => {
        client = c;
        if (closed) return c.close();
        c.on('ingest:progressed', ({ type: _type, ...progress }) => {
          if (!closed) setState({ kind: 'progress', progress });
        });
        c.on('ingest:finished', () => end({ kind: 'finished' }));
        c.on('ingest:failed', ({ error }) =>
          end({ kind: 'failed', code: error.code, message: error.message }),
        );
        c.on('revoked', (info) => end({ kind: 'failed', code: 'UNAUTHORIZED', message: info.message }));
        // Ingest may have ended between the upload's answer and this join.
        if (!c.ingesting) return end({ kind: 'finished' });
        setState({ kind: 'progress', progress: c.snapshot.ingest ?? null });
      },
      (err: unknown) => {
        const { code, message } = toFailure(err).error;
        end({ kind: 'failed', code, message });
      },
    );
    return () => {
      closed = true;
      client?.close();
    };
  }, [sessionId]);
  return tagged.sessionId === sessionId ? tagged.state : { kind: 'joining' };
}
