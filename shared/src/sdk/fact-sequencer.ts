import type { DurableFact, JoinAck } from '../contract/events.ts';
import { unpackFacts } from '../contract/events.ts';

/** How a join related to what the client had already seen. */
export type JoinKind =
  /** The first join of this client: the snapshot is the starting state. */
  | 'initial'
  /** A rejoin whose missed facts were delivered (catch-up): the client's state is whole again. */
  | 'resumed'
  /** A rejoin the server could not catch up (log compacted): rebuild from the snapshot. */
  | 'reset';

/**
 * Turns the durable facts of successive connections into one stream delivered exactly once, in
 * `seq` order (R13).
 *
 * Facts of one command share a `seq`, so "seq ≤ last applied" alone cannot tell a sibling of the
 * last record from a repeat. The sequencer therefore remembers how many facts of the last seq it
 * delivered and whether that record is known to be complete (it is once a snapshot covers it).
 * A rejoin after a connection dropped in the middle of a record asks for that record again
 * (`lastSeq − 1`) and skips the facts it already delivered: catch-up returns a record's facts in
 * the order they were broadcast.
 *
 * Facts that arrive while a join is in flight are held until its ack is processed, so catch-up
 * facts always come first.
 */
export class FactSequencer {
  private last = 0;
  private count = 0;
  private complete = true;
  private joined = false;
  private joining = false;
  private held: DurableFact[] = [];
  private skip = 0;

  constructor(private readonly deliver: (fact: DurableFact) => void) {}

  /** The highest seq delivered (or covered by a snapshot). */
  get lastSeq(): number {
    return this.last;
  }

  /** The `lastSeq` to send with the next join: undefined before the first join. */
  resumeFrom(): number | undefined {
    if (!this.joined) return undefined;
    return this.complete ? this.last : this.last - 1;
  }

  /** A join was sent: hold live facts until its ack. */
  beginJoin(): void {
    this.joining = true;
    this.held = [];
  }

  /** The connection dropped: held facts will come again through catch-up. */
  abortJoin(): void {
    this.joining = false;
    this.held = [];
  }

  /** A live fact from the server. */
  live(fact: DurableFact): void {
    if (this.joining) this.held.push(fact);
    else if (this.joined) this.accept(fact);
  }

  /** What kind of join `ack` is, given the `lastSeq` the join was sent with. */
  kindOf(ack: JoinAck, sentLastSeq: number | undefined): JoinKind {
    if (!this.joined || sentLastSeq === undefined) return 'initial';
    return ack.catchUp.status === 'reset' ? 'reset' : 'resumed';
  }

  /**
   * Processes a join ack of the given kind: delivers its catch-up facts (for `resumed`), then the
   * facts held while the join was in flight.
   */
  completeJoin(ack: JoinAck, kind: JoinKind): void {
    const seq = ack.snapshot.seq;
    if (kind === 'resumed') {
      this.skip = this.complete ? 0 : this.count;
      for (const f of unpackFacts(ack.catchUp)) this.accept(f);
      this.skip = 0;
      if (seq >= this.last) this.setCovered(seq);
    } else {
      this.setCovered(seq);
    }
    this.joined = true;
    this.joining = false;
    const held = this.held.sort((a, b) => a.seq - b.seq);
    this.held = [];
    for (const f of held) this.accept(f);
  }

  private setCovered(seq: number): void {
    this.last = seq;
    this.count = 0;
    this.complete = true;
  }

  private accept(fact: DurableFact): void {
    if (fact.seq < this.last) return;
    if (fact.seq === this.last) {
      if (this.complete) return;
      if (this.skip > 0) {
        this.skip -= 1;
        return;
      }
      this.count += 1;
    } else {
      this.last = fact.seq;
      this.count = 1;
      this.complete = false;
    }
    this.deliver(fact);
  }
}
