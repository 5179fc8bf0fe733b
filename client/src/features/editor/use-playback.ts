import { useEffect, useRef } from 'react';
import type { FrameCache } from './frame-cache.ts';

/**
 * Plays at the video's fps: the frame shown is the one due at the elapsed time, but never one whose
 * image has not arrived (the clock waits for slow frames instead of showing stale masks on them).
 * Stops at the last frame.
 */
export function usePlayback(opts: {
  playing: boolean;
  fps: number;
  frame: number;
  frameCount: number;
  frames: FrameCache;
  setFrame(n: number): void;
  stop(): void;
}) {
  const { playing, fps, frameCount, frames } = opts;
  const latest = useRef(opts);
  latest.current = opts;
  useEffect(() => {
    if (!playing || fps <= 0) return;
    let raf = 0;
    let origin = performance.now();
    let startFrame = latest.current.frame;
    const tick = (now: number) => {
      const o = latest.current;
      const due = startFrame + Math.floor(((now - origin) / 1000) * fps);
      if (due >= frameCount) {
        o.setFrame(frameCount - 1);
        o.stop();
        return;
      }
      if (due !== o.frame) {
        if (frames.get(due)) o.setFrame(due);
        else {
          // Hold the clock at the frame we have until the next one is decoded.
          origin = now;
          startFrame = o.frame;
          void frames.load(due).catch(() => undefined);
        }
      }
      frames.prefetch(o.frame, Math.ceil(fps), frameCount);
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, fps, frameCount, frames]);
}
