/**
 * Per-object bars of the timeline: what each frame holds for an object, merged into runs so a
 * 10 000-frame video draws a handful of rectangles per object.
 */

/** What a frame holds for one object. */
export type FrameStatus = 'prompted' | 'propagated' | 'absent' | 'stale' | 'missing';

/** The facts about one (object, frame) the bar needs. */
export interface FrameMaskInfo {
  frame: number;
  present: boolean;
  stale: boolean;
}

/** A run of frames `[from, to]` (inclusive) with the same status. */
export interface BarSegment {
  from: number;
  to: number;
  status: FrameStatus;
}

/**
 * The status of every frame for one object, as runs. A frame with prompts is `prompted` (the
 * user's own input wins over any mask state); a stale mask is `stale` (recomputed by the next
 * propagation); a mask where the model judged the object absent is `absent`; a mask is
 * `propagated`; no mask is `missing`.
 */
export function computeBar(
  frameCount: number,
  promptedFrames: Iterable<number>,
  masks: Iterable<FrameMaskInfo>,
): BarSegment[] {
  const status: FrameStatus[] = new Array<FrameStatus>(frameCount).fill('missing');
  for (const m of masks) {
    if (m.frame < 0 || m.frame >= frameCount) continue;
    status[m.frame] = m.stale ? 'stale' : m.present ? 'propagated' : 'absent';
  }
  for (const f of promptedFrames) if (f >= 0 && f < frameCount) status[f] = 'prompted';
  const out: BarSegment[] = [];
  for (let f = 0; f < frameCount; f++) {
    const s = status[f]!;
    const last = out[out.length - 1];
    if (last && last.status === s && last.to === f - 1) last.to = f;
    else out.push({ from: f, to: f, status: s });
  }
  return out;
}

/** Frames covered by masks (not missing), for the "12 / 48 frames" label next to a bar. */
export function coveredFrames(segments: readonly BarSegment[]): number {
  let n = 0;
  for (const s of segments) if (s.status !== 'missing') n += s.to - s.from + 1;
  return n;
}

/** The x position (0..1 of the bar's width) where frame `f` starts, for `frameCount` frames. */
export function frameToFraction(f: number, frameCount: number): number {
  return frameCount <= 0 ? 0 : f / frameCount;
}

/** The frame under a pointer at fraction `x` (0..1) of the bar's width, clamped to the video. */
export function fractionToFrame(x: number, frameCount: number): number {
  return Math.min(frameCount - 1, Math.max(0, Math.floor(x * frameCount)));
}
