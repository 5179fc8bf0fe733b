/**
 * The ack data of a stored command, derived from its record alone: the live path and the dedupe
 * of a retry after a restart answer with the same value.
 */
import { type DurableFact, type FactOf, RotoError } from '@roto/shared';
import type { FactsRecord } from './records.ts';

function find<T extends DurableFact['type']>(facts: readonly DurableFact[], type: T): FactOf<T> {
  const f = facts.find((x) => x.type === type);
  if (!f) throw new RotoError('INTERNAL', `record has no ${type} fact`);
  return f as FactOf<T>;
}

/** The ack data for the command that wrote `rec` at `seq`. */
export function resultFor(
  rec: Pick<FactsRecord, 'kind' | 'command'> & Partial<FactsRecord>,
  facts: readonly DurableFact[],
  seq: number,
): unknown {
  if (rec.kind === 'undo' || rec.kind === 'redo') return { seq, command: rec.command ?? '' };
  switch (rec.command) {
    case 'prompt:add': {
      const mask = find(facts, 'mask:updated');
      return { seq, objectId: mask.objectId, frame: mask.frame, mask };
    }
    case 'object:create':
      return { seq, object: find(facts, 'object:created').object };
    case 'object:update':
      return { seq, object: find(facts, 'object:updated').object };
    case 'propagation:start':
      return { jobId: find(facts, 'job:started').job.jobId };
    default:
      return { seq };
  }
}
