/**
 * What a client's socket delivers besides acks, wired to the client's events: session notices to
 * their handlers, export notices and volatile facts straight to listeners, durable facts through
 * the sequencer (exactly once, in `seq` order). What this client cannot read is an `error` event.
 */
import { RotoError } from '../contract/errors.ts';
import type { Emitter } from './emitter.ts';
import { listenForExportNotices } from './exports.ts';
import type { FactSequencer } from './fact-sequencer.ts';
import { DURABLE_FACT_TYPES, parseDurableFact, VOLATILE_FACT_SCHEMAS } from './facts.ts';
import { listenForNotices, type NoticeHandlers } from './session-notices.ts';
import type { RotoClientEvents } from './types.ts';

/** Subscribing to one socket event (the socket's `on`, bound). */
export type SocketOn = (event: string, listener: (raw: unknown) => void) => void;

/**
 * Subscribes to every notice and fact type on `on`: notices go to `notices`, export notices and
 * volatile facts to `events`, durable facts to `sequencer`, which emits them in order.
 */
export function wireFacts(
  on: SocketOn,
  events: Emitter<RotoClientEvents>,
  sequencer: FactSequencer,
  notices: NoticeHandlers,
): void {
  listenForNotices({ on }, notices, (type) =>
    events.emit(
      'error',
      new RotoError('PROTOCOL_MISMATCH', `The server sent a ${type} notice this client cannot read`),
    ),
  );
  listenForExportNotices(
    { on },
    (fact) => (events.emit as (e: string, f: unknown) => void)(fact.type, fact),
    (type) =>
      events.emit(
        'error',
        new RotoError('PROTOCOL_MISMATCH', `The server sent a ${type} notice this client cannot read`),
      ),
  );
  for (const type of DURABLE_FACT_TYPES) {
    on(type, (raw) => {
      const fact = parseDurableFact(type, raw);
      if (fact) sequencer.live(fact);
      else
        events.emit(
          'error',
          new RotoError('PROTOCOL_MISMATCH', `The server sent a ${type} fact this client cannot read`),
        );
    });
  }
  for (const [type, schema] of Object.entries(VOLATILE_FACT_SCHEMAS)) {
    on(type, (raw) => {
      const parsed = schema.safeParse(raw);
      if (parsed.success) (events.emit as (e: string, f: unknown) => void)(type, parsed.data);
    });
  }
}
