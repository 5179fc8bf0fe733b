/**
 * How seed-003's `obj_id` maps onto a session's objects: absent means the first object (by id),
 * created when the session has none; an id names that object, and the session's next free id
 * creates it (SAM2 clients count objects 1, 2, 3…). Ids that can no longer be created are refused.
 */
import { RotoError } from '@roto/shared';
import type { SessionState } from '../../sessions/state.ts';

/** The object a seed request acts on: an existing id, or `undefined` to create the next one. */
export function seedObject(state: SessionState, objId: number | undefined): number | undefined {
  if (objId === undefined) {
    const ids = [...state.objects.keys()];
    return ids.length > 0 ? Math.min(...ids) : undefined;
  }
  if (state.objects.has(objId)) return objId;
  if (objId === state.nextObjectId) return undefined;
  throw new RotoError(
    'NOT_FOUND',
    `obj_id ${objId} does not exist in this session; the next new object is ${state.nextObjectId} (send that obj_id, or none for the first object).`,
    { obj_id: objId, next_obj_id: state.nextObjectId },
  );
}
