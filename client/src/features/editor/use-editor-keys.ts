import { useEffect, useRef, useState } from 'react';

/** What the editor's keyboard shortcuts do (see KeyboardHelp for the list shown to users). */
export interface KeyActions {
  undo(): void;
  redo(): void;
  step(delta: number): void;
  togglePlay(): void;
  toggleOutline(): void;
  toggleHideSelected(): void;
  fit(): void;
  deselect(): void;
  toggleHelp(): void;
}

/** Binds the editor's keys on the window; returns whether Space is held (pan mode). */
export function useEditorKeys(actions: KeyActions): boolean {
  const [space, setSpace] = useState(false);
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    const typing = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (!t) return false;
      // A slider or checkbox keeps focus after a click; the editor's keys must still work there.
      if (t instanceof HTMLInputElement) return !['range', 'checkbox', 'color', 'button'].includes(t.type);
      return t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable;
    };
    const down = (e: KeyboardEvent) => {
      if (typing(e)) return;
      const a = ref.current;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        if (e.shiftKey) a.redo();
        else a.undo();
        return;
      }
      if (mod && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        a.redo();
        return;
      }
      if (mod) return;
      switch (e.key) {
        case ' ':
          e.preventDefault();
          setSpace(true);
          break;
        case 'ArrowLeft':
          e.preventDefault();
          a.step(e.shiftKey ? -10 : -1);
          break;
        case 'ArrowRight':
          e.preventDefault();
          a.step(e.shiftKey ? 10 : 1);
          break;
        case 'k':
        case 'K':
          a.togglePlay();
          break;
        case 'o':
        case 'O':
          a.toggleOutline();
          break;
        case 'h':
        case 'H':
          a.toggleHideSelected();
          break;
        case 'f':
        case 'F':
          a.fit();
          break;
        case 'Escape':
          a.deselect();
          break;
        case '?':
          a.toggleHelp();
          break;
      }
    };
    const up = (e: KeyboardEvent) => {
      if (e.key === ' ') setSpace(false);
    };
    const blur = () => setSpace(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, []);
  return space;
}
