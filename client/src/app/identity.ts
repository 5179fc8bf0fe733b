/**
 * Who this browser is: a display name kept in localStorage (editable in the header), a colour
 * derived from it, and a per-tab client id kept in sessionStorage so undo history survives a
 * reload of the tab but two tabs stay two participants.
 */

const NAMES = ['Otter', 'Heron', 'Lynx', 'Marten', 'Ibis', 'Puffin', 'Stoat', 'Wren', 'Gecko', 'Tapir'];

function storage(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null;
  }
}

/** The display name (created on first use). */
export function userName(): string {
  const s = storage('local');
  const saved = s?.getItem('roto.name');
  if (saved) return saved;
  const name = `${NAMES[Math.floor(Math.random() * NAMES.length)]} ${Math.floor(Math.random() * 90 + 10)}`;
  s?.setItem('roto.name', name);
  return name;
}

/** Saves a new display name (used on the next join). */
export function setUserName(name: string): void {
  storage('local')?.setItem('roto.name', name.trim().slice(0, 64) || userName());
}

/** This tab's client id. */
export function clientId(): string {
  const s = storage('session');
  const saved = s?.getItem('roto.clientId');
  if (saved) return saved;
  const id = crypto.randomUUID();
  s?.setItem('roto.clientId', id);
  return id;
}

/** A stable colour for a name (the avatar and remote cursor colour). */
export function colorForName(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360} 70% 60%)`;
}

/** Initials for an avatar: "Grey Heron" → "GH". */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}
