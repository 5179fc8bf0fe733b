/**
 * Which commands must not overtake which, for a client whose sends may be refused (RATE_LIMITED
 * changes nothing, so a command sent after a refused one may take effect first). The command
 * queue holds a command back while one it depends on is in flight.
 */

/**
 * What a command depends on, for keeping order while any send may be refused: `object:<id>` for
 * a command on an existing object, `all` for one that depends on everything issued before it
 * (undo and redo act on the latest edit; propagation uses every prompt), `none` for the rest
 * (creating, reading, cancelling).
 */
export type Fence = 'all' | 'none' | `object:${number}`;

/** The fence of a command, from its event and payload. */
export function fenceOf(event: string, payload: unknown): Fence {
  if (event === 'history:undo' || event === 'history:redo' || event === 'propagation:start') return 'all';
  const objectId = (payload as { objectId?: unknown } | null)?.objectId;
  return typeof objectId === 'number' ? `object:${objectId}` : 'none';
}

/**
 * True when a command with `fence` must wait for the commands in flight, given their fences: `all`
 * waits for anything in flight and holds everything back; commands on one object go one at a time.
 */
export function isFenced(fence: Fence, inFlight: ReadonlySet<Fence>): boolean {
  if (inFlight.has('all')) return true;
  if (fence === 'all') return inFlight.size > 0;
  return fence !== 'none' && inFlight.has(fence);
}
