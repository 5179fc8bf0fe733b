/** Turning a chosen decoder output into what callers get: a frame-size 0/1 mask. */
import type { MaskOutput } from './engine.ts';
import { upsampleToMask } from './postprocess.ts';

/** The low-res fields every decoder result carries. */
export interface LowResResult {
  lowRes: Float32Array;
  iou: number;
  objectScore: number;
  present: boolean;
}

/** Upsamples (bilinear, align_corners=False) and thresholds at 0. */
export function toMaskOutput(r: LowResResult, width: number, height: number, side = 256): MaskOutput {
  return {
    width,
    height,
    mask: upsampleToMask(r.lowRes, side, side, width, height),
    lowRes: r.lowRes,
    iou: r.iou,
    objectScore: r.objectScore,
    present: r.present,
  };
}
