/**
 * Share links as `POST /api/v1/sessions/:id/links` returns them: `<web app URL>/s/<sessionId>#token=<token>`
 * (R20). The token rides in the fragment so that it never reaches a server log.
 */
import { RotoError } from '../contract/errors.ts';

/** What a share link holds: where to connect, which session, and the token to join it with. */
export interface ParsedShareLink {
  /** The server's base URL (the link's origin and any path prefix before `/s/`), for `RotoClient.connect`. */
  serverUrl: string;
  sessionId: string;
  token: string;
}

/** Session ids as the server accepts them. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * Splits a share link into `{ serverUrl, sessionId, token }`, ready for `RotoClient.connect`:
 *
 * ```ts
 * const { serverUrl, sessionId, token } = parseShareLink(link);
 * const client = await RotoClient.connect({ url: serverUrl, sessionId, token, user: { name: 'Ada' } });
 * ```
 *
 * A server without `PUBLIC_URL` hands out relative links (`/s/<id>#token=…`): pass the server's
 * URL as `base` to resolve them. The token is also taken from `?token=` (the form REST reads
 * accept). Throws a `RotoError` INVALID_INPUT naming what is wrong: not a URL, no `/s/<id>` path,
 * a malformed session id, or no token.
 */
export function parseShareLink(link: string, base?: string): ParsedShareLink {
  let url: URL;
  try {
    url = new URL(link.trim(), base);
  } catch {
    throw new RotoError(
      'INVALID_INPUT',
      base === undefined && link.trim().startsWith('/')
        ? 'This share link is relative: give the server URL it came from as the base.'
        : 'This share link is not a URL.',
      { link: link.slice(0, 200) },
    );
  }
  const m = /^(.*)\/s\/([^/]+)\/?$/.exec(url.pathname);
  if (!m)
    throw new RotoError(
      'INVALID_INPUT',
      'This is not a share link: its path does not end in /s/<sessionId>.',
      {
        link: link.slice(0, 200),
      },
    );
  const sessionId = safeDecode(m[2] ?? '');
  if (!SESSION_ID.test(sessionId))
    throw new RotoError('INVALID_INPUT', 'The session id in this share link is malformed.', {
      sessionId: sessionId.slice(0, 200),
    });
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  const token = fragment.get('token') ?? url.searchParams.get('token') ?? '';
  if (token === '')
    throw new RotoError('INVALID_INPUT', 'This share link has no token (#token=… is missing).', {
      sessionId,
    });
  return { serverUrl: `${url.origin}${m[1] ?? ''}`, sessionId, token };
}

/**
 * The link id inside a token (read, not verified: the server does that), or undefined when the
 * token is not one of Roto's. Tells the holder which link was revoked when only the join refusal
 * says so.
 */
export function tokenLinkId(token: string | undefined): string | undefined {
  const payload = token?.split('.')[0];
  if (!payload) return undefined;
  try {
    const b64 = payload.replaceAll('-', '+').replaceAll('_', '/');
    const claims = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as { linkId?: unknown };
    return typeof claims.linkId === 'string' ? claims.linkId : undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
