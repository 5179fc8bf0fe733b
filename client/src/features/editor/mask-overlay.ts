import { type PaintLayer, type PaintMode, paintMasks } from './mask-paint.ts';
import { type MaskRuns, readMaskRuns } from './mask-runs.ts';

/**
 * The coloured masks of one frame at frame resolution, repainted only when what it shows changes
 * (another frame, a new mask version, a colour, hide/show, fill/outline), then drawn scaled over the
 * frame with the opacity as alpha.
 */
export class MaskOverlay {
  readonly canvas: HTMLCanvasElement | OffscreenCanvas;
  private readonly ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
  private image: ImageData;
  private paintedKey = '';
  private readonly runsCache = new Map<Uint8Array, MaskRuns>();

  constructor(width: number, height: number) {
    this.canvas =
      typeof OffscreenCanvas === 'function'
        ? new OffscreenCanvas(width, height)
        : Object.assign(document.createElement('canvas'), { width, height });
    const ctx = this.canvas.getContext('2d') as
      | CanvasRenderingContext2D
      | OffscreenCanvasRenderingContext2D
      | null;
    if (!ctx) throw new Error('This browser cannot draw on a canvas.');
    this.ctx = ctx;
    this.image = ctx.createImageData(width, height);
  }

  /** The runs of RM bytes, decoded once per byte array (a new mask version is a new array). */
  runsOf(bytes: Uint8Array): MaskRuns {
    let r = this.runsCache.get(bytes);
    if (!r) {
      r = readMaskRuns(bytes);
      if (this.runsCache.size > 2000) this.runsCache.clear();
      this.runsCache.set(bytes, r);
    }
    return r;
  }

  /**
   * Repaints when `key` (what the layers are) differs from the last paint. Returns whether it
   * painted. A malformed mask is skipped rather than breaking the whole frame.
   */
  update(key: string, layers: ReadonlyArray<{ bytes: Uint8Array; color: string }>, mode: PaintMode): boolean {
    if (key === this.paintedKey) return false;
    const paint: PaintLayer[] = [];
    for (const l of layers) {
      try {
        paint.push({ runs: this.runsOf(l.bytes), color: l.color });
      } catch {
        // A corrupt mask shows as missing; the rest of the frame still draws.
      }
    }
    paintMasks(this.image, paint, mode);
    this.ctx.putImageData(this.image, 0, 0);
    this.paintedKey = key;
    return true;
  }
}
