import { useSyncExternalStore } from 'react';

/**
 * Two pages need no routing library: `/` (home) and `/s/<sessionId>` (editor). Navigation uses
 * the History API so links are shareable and the back button works.
 */

/** Where the app is. */
export type Route =
  | { page: 'home' }
  | { page: 'editor'; sessionId: string }
  | { page: 'not-found'; path: string };

/** Parses a path into a route. */
export function parseRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'home' };
  const m = /^\/s\/([A-Za-z0-9_-]{1,128})\/?$/.exec(path);
  if (m) return { page: 'editor', sessionId: m[1]! };
  return { page: 'not-found', path };
}

/** The editor's path for a session. */
export function editorPath(sessionId: string): string {
  return `/s/${sessionId}`;
}

const listeners = new Set<() => void>();
// Guarded so the pure parts of this module load outside a browser (unit tests).
if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    for (const l of listeners) l();
  });
}

/** Goes to `path` without reloading the page. */
export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  for (const l of listeners) l();
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const path = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => window.location.pathname,
  );
  return parseRoute(path);
}
