import { useState } from 'react';
import { colorForName, initials } from '../../app/identity.ts';
import type { SessionConnection } from '../../realtime/connection.ts';

interface Props {
  conn: SessionConnection;
  selectedObjectId: number | null;
  hidden: ReadonlySet<number>;
  canEdit: boolean;
  onSelect(id: number | null): void;
  onToggleHidden(id: number): void;
}

/**
 * The objects of the session: select, add, rename (double-click), recolour, hide, delete; each row
 * shows who else has that object selected.
 */
export function ObjectsPanel({ conn, selectedObjectId, hidden, canEdit, onSelect, onToggleHidden }: Props) {
  const doc = conn.doc!;
  const [renaming, setRenaming] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const me = conn.state.kind === 'joined' ? conn.state.participantId : '';
  const editors = [...doc.participants.values()].filter(
    (p) => p.participantId !== me && p.presence.selectedObjectId != null,
  );

  const run = async (p: Promise<{ ok: boolean; error?: { message: string } }>) => {
    setError(null);
    const res = await p;
    if (!res.ok) setError(res.error?.message ?? 'The server refused this change.');
    return res;
  };

  const add = async () => {
    setError(null);
    const res = await conn.send('object:create', {});
    if (res.ok) onSelect(res.data.object.id);
    else setError(res.error.message);
  };

  return (
    <section className="panel objects-panel" aria-label="Objects">
      <header>
        <h2>Objects</h2>
        <button
          type="button"
          onClick={() => void add()}
          disabled={!canEdit}
          title="Add an object; then click on the frame to segment it"
        >
          + Add
        </button>
      </header>
      {doc.objects.length === 0 && <p className="muted">Click on the frame to segment an object.</p>}
      <ul>
        {doc.objects.map((o) => {
          const who = editors.filter((p) => p.presence.selectedObjectId === o.id);
          return (
            <li
              key={o.id}
              className={o.id === selectedObjectId ? 'selected' : ''}
              data-testid="object-row"
              data-object-id={o.id}
              data-color={o.color}
            >
              <input
                type="color"
                value={o.color}
                disabled={!canEdit}
                aria-label={`Colour of ${o.name}`}
                onChange={(e) =>
                  void run(conn.send('object:update', { objectId: o.id, color: e.target.value }))
                }
              />
              {renaming === o.id ? (
                <input
                  className="rename"
                  defaultValue={o.name}
                  // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to rename
                  autoFocus
                  aria-label="Object name"
                  onBlur={() => setRenaming(null)}
                  onKeyDown={(e) => {
                    e.stopPropagation();
                    if (e.key === 'Escape') setRenaming(null);
                    if (e.key === 'Enter') {
                      const name = e.currentTarget.value.trim();
                      setRenaming(null);
                      if (name && name !== o.name)
                        void run(conn.send('object:update', { objectId: o.id, name }));
                    }
                  }}
                />
              ) : (
                <button
                  type="button"
                  className="object-name"
                  onClick={() => onSelect(o.id)}
                  onDoubleClick={() => canEdit && setRenaming(o.id)}
                  title="Click to select, double-click to rename"
                >
                  {o.name}
                </button>
              )}
              <span className="editing-avatars">
                {who.map((p) => (
                  <span
                    key={p.participantId}
                    className="avatar small"
                    style={{ background: p.user.color ?? colorForName(p.user.name) }}
                    title={`${p.user.name} is editing this object`}
                  >
                    {initials(p.user.name)}
                  </span>
                ))}
              </span>
              <button
                type="button"
                className="icon"
                aria-pressed={hidden.has(o.id)}
                title={hidden.has(o.id) ? 'Show' : 'Hide'}
                onClick={() => onToggleHidden(o.id)}
              >
                {hidden.has(o.id) ? '◌' : '◉'}
              </button>
              <button
                type="button"
                className="icon danger"
                title="Delete"
                aria-label={`Delete ${o.name}`}
                disabled={!canEdit}
                onClick={() => {
                  if (!window.confirm(`Delete ${o.name} with its prompts and masks? (Ctrl+Z undoes it)`))
                    return;
                  if (o.id === selectedObjectId) onSelect(null);
                  void run(conn.send('object:delete', { objectId: o.id }));
                }}
              >
                ✕
              </button>
            </li>
          );
        })}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
