import type { ShareRole } from '@roto/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { absoluteUrl, createShareLink, listShareLinks, revokeShareLink } from '../../api/share.ts';
import { ownerToken } from '../../api/tokens.ts';

const LIFETIMES: ReadonlyArray<[string, number | undefined]> = [
  ['never expires', undefined],
  ['1 hour', 3600],
  ['1 day', 86_400],
  ['7 days', 7 * 86_400],
];

/**
 * Share links, for the session's owner (the browser that made it holds the owner token): create an
 * editor or viewer link, copy it, see and revoke earlier ones. Anyone else is told who can share.
 */
export function ShareDialog({ sessionId, onClose }: { sessionId: string; onClose(): void }) {
  const owner = ownerToken(sessionId);
  const queryClient = useQueryClient();
  const [role, setRole] = useState<ShareRole>('editor');
  const [lifetime, setLifetime] = useState(0);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const links = useQuery({
    queryKey: ['links', sessionId],
    enabled: owner !== undefined,
    queryFn: () => listShareLinks(sessionId, owner ?? ''),
  });

  const create = async () => {
    if (!owner) return;
    setError(null);
    setCopied(false);
    try {
      const link = await createShareLink(sessionId, owner, role, LIFETIMES[lifetime]?.[1]);
      setCreated(absoluteUrl(link.url));
      void queryClient.invalidateQueries({ queryKey: ['links', sessionId] });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const revoke = async (linkId: string) => {
    if (!owner) return;
    setError(null);
    try {
      await revokeShareLink(sessionId, owner, linkId);
      void queryClient.invalidateQueries({ queryKey: ['links', sessionId] });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      // No clipboard permission: the link stays selected in its field for a manual copy.
    }
  };

  return (
    <div className="modal-backdrop">
      <dialog open className="modal share-dialog" aria-label="Share">
        <h2>Share this session</h2>
        {!owner ? (
          <p className="muted">
            Only the session's owner (the browser that uploaded it) can make share links. On this server
            anyone with this page's address may be able to join: <code>{window.location.href}</code>
          </p>
        ) : (
          <>
            <div className="share-form">
              <label>
                role{' '}
                <select value={role} onChange={(e) => setRole(e.target.value as ShareRole)} aria-label="Role">
                  <option value="editor">can edit</option>
                  <option value="viewer">can only watch</option>
                </select>
              </label>
              <label>
                link{' '}
                <select
                  value={lifetime}
                  onChange={(e) => setLifetime(Number(e.target.value))}
                  aria-label="Lifetime"
                >
                  {LIFETIMES.map(([label], i) => (
                    <option key={label} value={i}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" onClick={() => void create()}>
                Create link
              </button>
            </div>
            {created && (
              <div className="share-created">
                <input
                  readOnly
                  value={created}
                  aria-label="Share link"
                  data-testid="share-url"
                  onFocus={(e) => e.currentTarget.select()}
                />
                <button type="button" onClick={() => void copy(created)}>
                  {copied ? 'Copied' : 'Copy'}
                </button>
              </div>
            )}
            <h3>Links</h3>
            {links.isError && <p className="error">{links.error.message}</p>}
            <ul className="share-links">
              {links.data?.links.map((l) => (
                <li key={l.linkId} data-testid="share-link">
                  <span>
                    {l.role === 'editor' ? 'can edit' : 'can only watch'} · made{' '}
                    {new Date(l.createdAt).toLocaleString()}
                    {l.expiresAt ? ` · expires ${new Date(l.expiresAt).toLocaleString()}` : ''}
                  </span>
                  {l.revokedAt ? (
                    <span className="muted">revoked</span>
                  ) : (
                    <button type="button" onClick={() => void revoke(l.linkId)}>
                      Revoke
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </dialog>
    </div>
  );
}
