import type { z } from 'zod';
import {
  type DurableFact,
  DurableFactSchema,
  JobProgressedFactSchema,
  ParticipantJoinedFactSchema,
  ParticipantLeftFactSchema,
  PresenceUpdatedFactSchema,
  type VolatileFact,
} from '../contract/events.ts';

/** Event names of the durable facts (they carry a `seq`), taken from the contract's union. */
export const DURABLE_FACT_TYPES: ReadonlyArray<DurableFact['type']> = DurableFactSchema.options.map(
  (o) => o.shape.type.value,
);

/** Schemas of the volatile facts (no `seq`, never stored), by event name. */
export const VOLATILE_FACT_SCHEMAS: {
  readonly [K in VolatileFact['type']]: z.ZodType<Extract<VolatileFact, { type: K }>>;
} = {
  'job:progressed': JobProgressedFactSchema,
  'participant:joined': ParticipantJoinedFactSchema,
  'participant:left': ParticipantLeftFactSchema,
  'presence:updated': PresenceUpdatedFactSchema,
};

/** Parses a durable fact received as `event`; null when it is not one this client can read. */
export function parseDurableFact(event: string, raw: unknown): DurableFact | null {
  const parsed = DurableFactSchema.safeParse(raw);
  return parsed.success && parsed.data.type === event ? parsed.data : null;
}
