import { MaskFormatError } from './errors.ts';

/**
 * Intersection over union of two binary masks of the same size (any non-zero byte is foreground).
 * Two empty masks are identical, so their IoU is 1.
 */
export function maskIoU(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) {
    throw new MaskFormatError('mask', `cannot compare masks of ${a.length} and ${b.length} pixels`);
  }
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const fa = a[i] !== 0;
    const fb = b[i] !== 0;
    if (fa && fb) inter++;
    if (fa || fb) union++;
  }
  return union === 0 ? 1 : inter / union;
}
