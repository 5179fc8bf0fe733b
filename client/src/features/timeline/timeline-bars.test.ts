import { describe, expect, it } from 'vitest';
import { computeBar, coveredFrames, fractionToFrame } from './timeline-bars.ts';

describe('timeline bars', () => {
  it('shows a prompted frame, the propagated run after it, and missing frames elsewhere', () => {
    const masks = [3, 4, 5, 6, 7].map((frame) => ({ frame, present: true, stale: false }));
    expect(computeBar(10, [3], masks)).toEqual([
      { from: 0, to: 2, status: 'missing' },
      { from: 3, to: 3, status: 'prompted' },
      { from: 4, to: 7, status: 'propagated' },
      { from: 8, to: 9, status: 'missing' },
    ]);
  });

  it('marks stale masks after a correction and frames where the object is absent', () => {
    const masks = [
      { frame: 0, present: true, stale: false },
      { frame: 1, present: true, stale: false },
      { frame: 2, present: false, stale: false },
      { frame: 3, present: true, stale: true },
      { frame: 4, present: true, stale: true },
    ];
    const bar = computeBar(5, [0], masks);
    expect(bar.map((s) => s.status)).toEqual(['prompted', 'propagated', 'absent', 'stale']);
    expect(bar[3]).toEqual({ from: 3, to: 4, status: 'stale' });
    expect(coveredFrames(bar)).toBe(5);
  });

  it('ignores frames outside the video and covers a video with no masks with one missing run', () => {
    expect(computeBar(4, [9], [{ frame: -1, present: true, stale: false }])).toEqual([
      { from: 0, to: 3, status: 'missing' },
    ]);
    expect(coveredFrames(computeBar(4, [], []))).toBe(0);
  });

  it('maps a pointer position on the strip to a frame, clamped', () => {
    expect(fractionToFrame(0, 48)).toBe(0);
    expect(fractionToFrame(0.5, 48)).toBe(24);
    expect(fractionToFrame(1, 48)).toBe(47);
    expect(fractionToFrame(-0.2, 48)).toBe(0);
  });
});
