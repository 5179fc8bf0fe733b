import { describe, expect, it } from 'vitest';
import {
  clampToFrame,
  fitTransform,
  frameToScreen,
  panBy,
  screenToFrame,
  wheelZoomFactor,
  zoomAt,
} from './view-transform.ts';

describe('view transform', () => {
  it('fits a 1280×720 frame into a 800×600 viewport, centred', () => {
    const v = fitTransform(1280, 720, 800, 600, 0);
    expect(v.scale).toBeCloseTo(800 / 1280);
    expect(v.tx).toBeCloseTo(0);
    expect(v.ty).toBeCloseTo((600 - 720 * v.scale) / 2);
    // The frame's corners land on the viewport's edges.
    expect(frameToScreen(v, { x: 1280, y: 360 })).toEqual({ x: 800, y: 300 });
  });

  it('maps a click back to the frame pixel under the cursor after zoom and pan', () => {
    let v = fitTransform(320, 240, 640, 480, 0); // scale 2
    v = zoomAt(v, 3, { x: 100, y: 50 });
    v = panBy(v, -37, 12);
    const framePoint = { x: 123.5, y: 77.25 };
    const screen = frameToScreen(v, framePoint);
    const back = screenToFrame(v, screen);
    expect(back.x).toBeCloseTo(framePoint.x, 9);
    expect(back.y).toBeCloseTo(framePoint.y, 9);
  });

  it('keeps the point under the cursor fixed while zooming', () => {
    const v = { scale: 1.5, tx: 20, ty: -10 };
    const anchor = { x: 300, y: 200 };
    const before = screenToFrame(v, anchor);
    const after = screenToFrame(zoomAt(v, wheelZoomFactor(-240), anchor), anchor);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
  });

  it('zooms in on wheel up, out on wheel down, and stops at the limits', () => {
    expect(wheelZoomFactor(-100)).toBeGreaterThan(1);
    expect(wheelZoomFactor(100)).toBeLessThan(1);
    let v = { scale: 1, tx: 0, ty: 0 };
    for (let i = 0; i < 100; i++) v = zoomAt(v, 2, { x: 0, y: 0 });
    expect(v.scale).toBe(40);
    for (let i = 0; i < 100; i++) v = zoomAt(v, 0.5, { x: 0, y: 0 });
    expect(v.scale).toBe(0.05);
  });

  it('clamps a drag that leaves the frame to its border', () => {
    expect(clampToFrame({ x: -4, y: 500 }, 320, 240)).toEqual({ x: 0, y: 240 });
  });
});
