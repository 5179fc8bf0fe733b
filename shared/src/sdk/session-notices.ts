/**
 * Session notices as the client reads them (`access:revoked`, `ingest:*`, R20 and R22): parsed at
 * the edge, and turned into the errors that end a client for good.
 */
import { RotoError } from '../contract/errors.ts';
import {
  type AccessRevokedFact,
  type IngestFailedFact,
  SESSION_NOTICE_SCHEMAS,
  type SessionNoticeFact,
} from '../contract/notices.ts';
import { tokenLinkId } from './share-link.ts';

/** Why and how a client's access ended (the `revoked` event). */
export interface AccessEnded {
  /** `revoked` by the session's owner, or `expired` (the link had an expiry). */
  reason: AccessRevokedFact['reason'];
  /** The server's words, for people. */
  message: string;
  /** The share link that was withdrawn, when known. */
  linkId?: string;
  /** What unanswered commands were rejected with (UNAUTHORIZED). */
  error: RotoError;
}

/** A listener per notice type. */
export type NoticeHandlers = {
  [K in SessionNoticeFact['type']]: (fact: Extract<SessionNoticeFact, { type: K }>) => void;
};

/**
 * Subscribes `handlers` to the socket's session notices. A notice this client cannot read goes to
 * `unreadable` (the contract moved on: the server is newer than this SDK).
 */
export function listenForNotices(
  socket: { on(event: string, listener: (raw: unknown) => void): unknown },
  handlers: NoticeHandlers,
  unreadable: (type: string) => void,
): void {
  for (const [type, schema] of Object.entries(SESSION_NOTICE_SCHEMAS)) {
    socket.on(type, (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return unreadable(type);
      (handlers[type as SessionNoticeFact['type']] as (fact: unknown) => void)(parsed.data);
    });
  }
}

/** The end of access an `access:revoked` notice announces. */
export function accessEndedByNotice(fact: AccessRevokedFact): AccessEnded {
  const error = new RotoError('UNAUTHORIZED', fact.message, { reason: fact.reason, linkId: fact.linkId });
  return { reason: fact.reason, message: fact.message, linkId: fact.linkId, error };
}

/**
 * The end of access a refused (re)join announces: UNAUTHORIZED because the link was revoked or
 * has expired (the notice is lost when the connection dropped before it arrived). Null for any
 * other refusal.
 */
export function accessEndedByRefusal(error: RotoError, token: string | undefined): AccessEnded | null {
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  if (error.code !== 'UNAUTHORIZED' || (reason !== 'revoked' && reason !== 'expired')) return null;
  const linkId = tokenLinkId(token);
  return { reason, message: error.message, ...(linkId !== undefined ? { linkId } : {}), error };
}

/** What commands of a session whose ingest failed are rejected with (a join answers the same, R2). */
export function ingestFailedError(sessionId: string, fact: IngestFailedFact): RotoError {
  return new RotoError(
    'CONFLICT',
    `Session ${sessionId} cannot be edited: its media could not be ingested (${fact.error.message})`,
    { sessionId, ingestError: fact.error },
  );
}
