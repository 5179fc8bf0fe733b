/**
 * Access tokens this browser holds, per session: the owner token returned when this browser made
 * the session (it manages share links), and a share-link token read from the editor URL's
 * fragment (`/s/<id>#token=…`, which never reaches a server log). Kept in localStorage so a reload
 * or a later visit keeps the same access.
 */

function store(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Remembers the owner token of a session this browser created. */
export function rememberOwnerToken(sessionId: string, token: string): void {
  store()?.setItem(`roto.owner.${sessionId}`, token);
}

/** The owner token of a session, when this browser created it. */
export function ownerToken(sessionId: string): string | undefined {
  return store()?.getItem(`roto.owner.${sessionId}`) ?? undefined;
}

/**
 * Takes a share link's token out of the page URL's fragment (keeping it for this session) and
 * tidies the address bar. Returns the token when there was one.
 */
export function captureLinkToken(sessionId: string): string | undefined {
  const m = /(?:^|[#&])token=([^&]+)/.exec(window.location.hash);
  if (!m) return undefined;
  const token = decodeURIComponent(m[1]!);
  store()?.setItem(`roto.link.${sessionId}`, token);
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return token;
}

/** The token this browser uses for a session: a share link's, else the owner's, else none (open servers). */
export function sessionToken(sessionId: string): string | undefined {
  return store()?.getItem(`roto.link.${sessionId}`) ?? ownerToken(sessionId);
}

/** `Authorization` header for a token, or none. */
export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A URL with `?token=` added, for places that cannot send a header (`<img>`, CSS backgrounds). */
export function withToken(url: string, token: string | undefined): string {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
