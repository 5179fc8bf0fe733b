/**
 * Priorities of model work, highest first. A click must feel instant, so interactive work always
 * goes first; propagation streams masks to people who are watching; exports and animations are
 * batch jobs that nobody waits on frame by frame.
 */
export const LANE_PRIORITIES = ['interactive', 'propagation', 'export', 'animation'] as const;

/** The priority of one piece of model work; see `LANE_PRIORITIES` for the order. */
export type LanePriority = (typeof LANE_PRIORITIES)[number];
