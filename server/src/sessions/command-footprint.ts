/**
 * Which part of the session document a command or a record touches: what lets the room pipeline
 * object-local commands (see `SessionRoom.execute`).
 */
import type { FactBody } from './records.ts';
import type { RoomCommand } from './types.ts';

/**
 * The object an object-local command reads and writes, or undefined for every other command.
 * A rename/recolour or a prompt clear reads only its object's part of the document (the object,
 * its prompts, its masks and their staleness), so it only has to wait for records touching that
 * object; its facts are computed and its append issued without waiting for earlier commands on
 * other objects to be durable, and the op log makes all of them durable with one fdatasync
 * (group commit). Acks, facts and applying still follow seq order. Every other command waits for
 * all object-local records in flight first, as if the queue had held each until durable.
 */
export function localObjectOf(cmd: RoomCommand): number | undefined {
  switch (cmd.type) {
    case 'object:update':
    case 'prompt:clear':
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
