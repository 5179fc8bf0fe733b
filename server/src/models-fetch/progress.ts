/**
 * Download progress for people: a redrawn bar on a terminal, plain lines (every 10 %, or every
 * few seconds when the size is unknown) when the output is a log or a pipe.
 */

/** What the downloader reports. */
export interface ProgressSink {
  /** A transfer begins; `resumedFrom` bytes were already on disk. */
  start(total: number | undefined, resumedFrom: number): void;
  /** `received` counts every byte of the file on disk so far, resumed ones included. */
  update(received: number): void;
  /** The transfer ended (successfully or not); a bar is finished with a newline. */
  end(): void;
}

/** A stream the reporter writes to. */
export interface TextOut {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

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

/** `1:05:09`, `4:07`, `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

interface Rates {
  percent?: number;
  speed: number;
  eta?: number;
}

/** Progress of one file, for either a terminal or a log. */
export function createProgress(out: TextOut, label: string, now: () => number = Date.now): ProgressSink {
  const tty = out.isTTY === true;
  let total: number | undefined;
  let startedAt = 0;
  let resumed = 0;
  let lastDraw = 0;
  let lastStep = -1;
  let received = 0;
  let drawn = false;

  const rates = (): Rates => {
    const seconds = (now() - startedAt) / 1000;
    // The first fraction of a second says nothing about the speed.
    const speed = seconds >= 0.5 ? (received - resumed) / seconds : 0;
    if (total === undefined || total === 0) return { speed };
    const percent = Math.min(100, (received / total) * 100);
    return { percent, speed, eta: speed > 0 ? (total - received) / speed : undefined };
  };

  const summary = (r: Rates): string => {
    const size =
      total === undefined ? formatBytes(received) : `${formatBytes(received)} / ${formatBytes(total)}`;
    const eta = r.eta === undefined ? '' : `  ETA ${formatDuration(r.eta)}`;
    const speed = r.speed > 0 ? `  ${formatBytes(Math.round(r.speed))}/s` : '';
    return `${size}${speed}${eta}`;
  };

  const drawBar = (): void => {
    const r = rates();
    const width = Math.max(10, Math.min(30, (out.columns ?? 80) - label.length - 60));
    const filled = r.percent === undefined ? 0 : Math.round((r.percent / 100) * width);
    const bar =
      r.percent === undefined
        ? ''
        : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${r.percent.toFixed(0).padStart(3)}%  `;
    out.write(`\r\x1b[K  ${label}  ${bar}${summary(r)}`);
    drawn = true;
  };

  return {
    start(t, resumedFrom) {
      total = t;
      resumed = resumedFrom;
      received = resumedFrom;
      startedAt = now();
      lastDraw = 0;
      const from = resumedFrom > 0 ? `, resuming at ${formatBytes(resumedFrom)}` : '';
      const size = t === undefined ? 'size unknown' : formatBytes(t);
      if (tty) drawBar();
      else out.write(`  ${label}: downloading (${size}${from})\n`);
      lastStep = total ? Math.floor((received / total) * 10) : 0;
    },
    update(r) {
      received = r;
      const t = now();
      if (tty) {
        if (t - lastDraw >= 100) {
          lastDraw = t;
          drawBar();
        }
        return;
      }
      if (total) {
        const step = Math.floor((received / total) * 10);
        if (step > lastStep && step < 10) {
          lastStep = step;
          const rr = rates();
          out.write(`  ${label}: ${(rr.percent ?? 0).toFixed(0)}%  ${summary(rr)}\n`);
        }
      } else if (t - lastDraw >= 5000) {
        lastDraw = t;
        out.write(`  ${label}: ${summary(rates())}\n`);
      }
    },
    end() {
      if (tty && drawn) {
        drawBar();
        out.write('\n');
      }
    },
  };
}
