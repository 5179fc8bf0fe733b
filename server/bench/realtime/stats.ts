/** Small statistics helpers of the realtime benchmark. */

/** The p-th percentile (nearest rank) of `xs`; NaN for an empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length) - 1;
  return s[Math.min(s.length - 1, Math.max(0, rank))] as number;
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Rounds to one decimal (ms figures). */
export const r1 = (x: number): number => Math.round(x * 10) / 10;
/** Rounds to three decimals (ratios). */
export const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
