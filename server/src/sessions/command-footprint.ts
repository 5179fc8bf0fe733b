/**
 * Which part of the session document a command or a record touches: what lets the room pipeline
 * object-local commands (see `SessionRoom.execute`).
 */
import type { FactBody } from './records.ts';
import type { RoomCommand } from './types.ts';

/**
 * The object an object-local command reads and writes, or undefined for every other command.
 * A rename/recolour, a prompt clear and a click on an existing object read only their object's
 * part of the document (the object, its prompts, its masks and their staleness, its memory bank)
 * and change nothing else, so such a command only waits for the commands and records in flight
 * on the same object: renames of other objects are neither held behind another object's click
 * (its model work) nor behind each other's fdatasync, and the op log makes the records that
 * arrive together durable with one fdatasync (group commit). Records, facts and acks still go in
 * seq order; a command on another object sent later may get its seq (and ack) first. Every
 * other command (creating or deleting objects, propagation, undo/redo, a click that creates its
 * object) waits for all object-local commands in flight, as if the queue had run each to the end.
 */
export function localObjectOf(cmd: RoomCommand): number | undefined {
  switch (cmd.type) {
    case 'object:update':
    case 'prompt:clear':
      return cmd.payload.objectId;
    case 'prompt:add':
      return cmd.payload.objectId;
    default:
      return undefined;
  }
}

/** The objects whose part of the document a record's facts change. */
export function factObjectIds(facts: readonly FactBody[]): Set<number> {
  const ids = new Set<number>();
  for (const f of facts) {
    if ('objectId' in f && typeof f.objectId === 'number') ids.add(f.objectId);
    else if ('object' in f && f.object && typeof f.object === 'object' && 'id' in f.object)
      ids.add(f.object.id as number);
  }
  return ids;
}
