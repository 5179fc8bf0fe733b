/**
 * Undo/redo stacks, one pair per client id: a participant undoes only their own edits. Rebuilt
 * from the log on load (command, undo and redo records carry what they need), so history survives
 * a restart like everything else acknowledged.
 */
import type { FactBody } from './records.ts';

/** One undoable step. */
export interface HistoryEntry {
  /** The event name of the edit (`prompt:add`), reported in the undo/redo ack. */
  command: string;
  /** Facts that reverse (undo stack) or re-apply (redo stack) the edit. */
  facts: FactBody[];
}

/** How deep one client's undo history goes. */
export const MAX_HISTORY = 100;

interface Stacks {
  undo: HistoryEntry[];
  redo: HistoryEntry[];
}

export class History {
  private readonly byClient = new Map<string, Stacks>();

  private stacks(clientId: string): Stacks {
    let s = this.byClient.get(clientId);
    if (!s) {
      s = { undo: [], redo: [] };
      this.byClient.set(clientId, s);
    }
    return s;
  }

  /** A new edit: pushes its undo facts and forgets what could be redone. */
  recordEdit(clientId: string, entry: HistoryEntry): void {
    const s = this.stacks(clientId);
    s.undo.push(entry);
    if (s.undo.length > MAX_HISTORY) s.undo.shift();
    s.redo = [];
  }

  peekUndo(clientId: string): HistoryEntry | undefined {
    return this.byClient.get(clientId)?.undo.at(-1);
  }

  peekRedo(clientId: string): HistoryEntry | undefined {
    return this.byClient.get(clientId)?.redo.at(-1);
  }

  /** An undo was stored: the top undo entry moves to the redo stack as `redo`. */
  recordUndo(clientId: string, redo: HistoryEntry): void {
    const s = this.stacks(clientId);
    s.undo.pop();
    s.redo.push(redo);
  }

  /** A redo was stored: the top redo entry moves back to the undo stack as `undo`. */
  recordRedo(clientId: string, undo: HistoryEntry): void {
    const s = this.stacks(clientId);
    s.redo.pop();
    s.undo.push(undo);
  }

  /** Every client's stacks, for a store snapshot. */
  toJSON(): Array<{ clientId: string; undo: HistoryEntry[]; redo: HistoryEntry[] }> {
    return [...this.byClient].map(([clientId, s]) => ({ clientId, undo: s.undo, redo: s.redo }));
  }

  /** Restores stacks saved by `toJSON`. */
  load(saved: ReadonlyArray<{ clientId: string; undo: HistoryEntry[]; redo: HistoryEntry[] }>): void {
    for (const s of saved) this.byClient.set(s.clientId, { undo: [...s.undo], redo: [...s.redo] });
  }
}
