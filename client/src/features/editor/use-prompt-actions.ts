import type { Box, Point } from '@roto/shared';
import { useState } from 'react';
import type { SessionConnection } from '../../realtime/connection.ts';
import { key } from '../../realtime/session-doc.ts';

/** A prompt sent and not yet answered, drawn faded where the user clicked. */
export interface PendingPrompt {
  frame: number;
  points: Point[];
  box: Box | undefined;
}

/** An error shown next to the click that caused it (canvas CSS pixels). */
export interface CanvasError {
  message: string;
  at: { x: number; y: number };
}

/**
 * The prompt commands of the frame view: add clicks or a box for the selected object (a new
 * object when none is selected), remove one point (clear the frame's prompts and add the rest
 * back), with the prompts shown while pending and errors placed at the click.
 */
export function usePromptActions(
  conn: SessionConnection,
  frame: number,
  selectedObjectId: number | null,
  onSelect: (id: number) => void,
) {
  const [pending, setPending] = useState<PendingPrompt[]>([]);
  const [error, setError] = useState<CanvasError | null>(null);
  const doc = conn.doc!;

  const send = async (p: { points?: Point[]; box?: Box }, at: { x: number; y: number }) => {
    setError(null);
    // Shown at once, before the model answers (or while offline, until the command is sent).
    const mine: PendingPrompt = { frame, points: p.points ?? [], box: p.box };
    setPending((list) => [...list, mine]);
    const res = await conn.send('prompt:add', {
      frame,
      ...(selectedObjectId !== null ? { objectId: selectedObjectId } : {}),
      points: p.points ?? [],
      ...(p.box ? { box: p.box } : {}),
    });
    setPending((list) => list.filter((x) => x !== mine));
    if (res.ok) onSelect(res.data.objectId);
    else setError({ message: res.error.message, at });
  };

  const removePoint = async (objectId: number, index: number, at: { x: number; y: number }) => {
    const current = doc.prompts.get(key(objectId, frame));
    if (!current) return;
    onSelect(objectId);
    const points = current.points.filter((_, i) => i !== index);
    const cleared = await conn.send('prompt:clear', { frame, objectId });
    if (!cleared.ok) return setError({ message: cleared.error.message, at });
    if (points.length === 0 && !current.box) return;
    const res = await conn.send('prompt:add', {
      frame,
      objectId,
      points,
      ...(current.box ? { box: current.box } : {}),
    });
    if (!res.ok) setError({ message: res.error.message, at });
  };

  return { pending, error, setError, send, removePoint };
}
