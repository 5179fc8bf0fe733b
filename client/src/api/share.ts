import type { ShareLinkCreated, ShareLinkList, ShareRole } from '@roto/shared';
import { requestJson } from './http.ts';
import { SESSIONS_URL } from './sessions.ts';

/**
 * Share links of a session (`/api/v1/sessions/:id/links`, owner token required): create one with
 * a role and an optional lifetime, list them, revoke one (everyone who joined with it is cut off).
 */
function linksUrl(sessionId: string): string {
  return `${SESSIONS_URL}/${encodeURIComponent(sessionId)}/links`;
}

/** Creates a link; the answer carries the token and the editor URL with it (shown once). */
export function createShareLink(
  sessionId: string,
  ownerToken: string,
  role: ShareRole,
  expiresInSec?: number,
): Promise<ShareLinkCreated> {
  return requestJson(linksUrl(sessionId), {
    method: 'POST',
    token: ownerToken,
    body: { role, ...(expiresInSec ? { expiresInSec } : {}) },
  });
}

/** The session's links, oldest first. */
export function listShareLinks(sessionId: string, ownerToken: string): Promise<ShareLinkList> {
  return requestJson(linksUrl(sessionId), { token: ownerToken });
}

/** Revokes a link. */
export function revokeShareLink(sessionId: string, ownerToken: string, linkId: string): Promise<unknown> {
  return requestJson(`${linksUrl(sessionId)}/${encodeURIComponent(linkId)}`, {
    method: 'DELETE',
    token: ownerToken,
  });
}

/** An absolute URL for a link the server answered with (it is relative unless PUBLIC_URL is set). */
export function absoluteUrl(url: string): string {
  return new URL(url, window.location.origin).toString();
}
