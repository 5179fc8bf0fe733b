/**
 * Download progress for people: a redrawn bar on a terminal, plain lines (every 10 %, or every
 * few seconds when the size is unknown) when the output is a log or a pipe.
 */
import { type BarUnits, createBar, type TextOut } from '../cli/progress.ts';

/** What the downloader reports. */
export interface ProgressSink {
  /** A transfer begins; `resumedFrom` bytes were already on disk. */
  start(total: number | undefined, resumedFrom: number): void;
  /** `received` counts every byte of the file on disk so far, resumed ones included. */
  update(received: number): void;
  /** The transfer ended (successfully or not); a bar is finished with a newline. */
  end(): void;
}

export type { TextOut } from '../cli/progress.ts';
export { formatDuration } from '../cli/progress.ts';

/** Human size with binary multiples shown in familiar units (1 MB = 10^6 bytes, as on download pages). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** Progress of one file, for either a terminal or a log (the bar itself lives in `cli/progress.ts`). */
export function createProgress(out: TextOut, label: string, now: () => number = Date.now): ProgressSink {
  return createBar(out, label, BYTE_UNITS, now);
}

const BYTE_UNITS: BarUnits = {
  amount: formatBytes,
  rate: (r) => `${formatBytes(Math.round(r))}/s`,
  startLine: (total, resumedFrom) => {
    const from = resumedFrom > 0 ? `, resuming at ${formatBytes(resumedFrom)}` : '';
    return `downloading (${total === undefined ? 'size unknown' : formatBytes(total)}${from})`;
  },
};
