/**
 * Catch-up for reconnecting participants: the last durable records kept in memory, with the op log
 * behind them for older ones. A rejoin with `lastSeq` gets every durable fact after it, or `reset`
 * when the log no longer holds them (compacted into a snapshot) or the client claims a seq this
 * session never had.
 */
import { type DurableFact, type JoinAck, packBinary } from '@roto/shared';
import type { SessionStore } from '../storage/index.ts';
import { decodeFactsRecord, FACTS_RECORD_TYPE, withSeq } from './records.ts';

/** Durable records kept in memory for catch-up without reading the log. */
export const CATCH_UP_RING_RECORDS = 4096;

interface Entry {
  seq: number;
  facts: DurableFact[];
}

/** What was read from the log for an old `lastSeq`: its facts records and the last seq it covered. */
export interface OlderFacts {
  entries: Entry[];
  upTo: number;
}

export class RecentFacts {
  private readonly ring: Entry[] = [];

  /** `base`: the ring holds every facts record with a seq above it. */
  constructor(private base: number) {}

  push(seq: number, facts: DurableFact[]): void {
    this.ring.push({ seq, facts });
    if (this.ring.length > CATCH_UP_RING_RECORDS) this.base = this.ring.shift()!.seq;
  }

  /** A record with no facts for participants (ingest records) before any fact: move the base past it. */
  skip(seq: number): void {
    if (this.ring.length === 0) this.base = Math.max(this.base, seq);
  }

  /** Reads from the log what the ring no longer holds for `lastSeq` (null when it does not need to, or cannot). */
  async readOlder(
    store: SessionStore,
    sessionId: string,
    lastSeq: number | undefined,
  ): Promise<OlderFacts | null> {
    if (lastSeq === undefined || lastSeq >= this.base) return null;
    const read = await store.readSince(sessionId, lastSeq);
    if (read.status !== 'ok') return null;
    return {
      entries: read.records
        .filter((r) => r.type === FACTS_RECORD_TYPE)
        .map((r) => ({ seq: r.seq, facts: withSeq(decodeFactsRecord(r).facts, r.seq) })),
      upTo: read.records.at(-1)?.seq ?? lastSeq,
    };
  }

  /** The catch-up of a join at `seq` (synchronous, so it matches the snapshot taken with it). */
  collect(lastSeq: number | undefined, seq: number, older: OlderFacts | null): JoinAck['catchUp'] {
    if (lastSeq === undefined || lastSeq > seq) return { status: 'reset' };
    const covered = lastSeq >= this.base ? { entries: [], upTo: lastSeq } : older;
    if (!covered || covered.upTo < this.base) return { status: 'reset' };
    const recent = this.ring.filter((r) => r.seq > covered.upTo);
    const all = [...covered.entries, ...recent].filter((r) => r.seq > lastSeq && r.seq <= seq);
    return { status: 'ok', facts: packBinary(all.flatMap((r) => r.facts)) };
  }
}
