/**
 * Progress for people, shared by every command line: a bar redrawn in place on a terminal, plain
 * lines (every 10 %, or every few seconds when the total is unknown) when the output is a log or
 * a pipe, so CI logs stay readable. The units (bytes, frames) are the caller's.
 */

/** A stream progress is written to (`process.stderr` fits). */
export interface TextOut {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** One measured task: `start`, any number of `update`s, then `end`. */
export interface ProgressBar {
  /** The task begins; `resumedFrom` units were already done before this run (not counted in the speed). */
  start(total: number | undefined, resumedFrom?: number): void;
  /** `done` counts every unit so far, resumed ones included. */
  update(done: number): void;
  /** The task ended (successfully or not); a bar is finished with a newline. */
  end(): void;
}

/** How a bar names its amounts. */
export interface BarUnits {
  /** `1.50 MB`, `12 frames`. */
  amount(n: number): string;
  /** `500.0 kB/s`, `3.2 fps`. */
  rate(perSecond: number): string;
  /** The first plain line's note, e.g. `downloading (1.00 MB)`. */
  startLine(total: number | undefined, resumedFrom: number): string;
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

/** Units for counted things: `3 / 48 frames  12.5 fps`. */
export function countUnits(noun: string, rateNoun = `${noun}/s`): BarUnits {
  return {
    amount: (n) => `${n}`,
    rate: (r) => `${r < 10 ? r.toFixed(1) : Math.round(r)} ${rateNoun}`,
    startLine: (total) => (total === undefined ? 'started' : `${total} ${noun}`),
  };
}

interface Rates {
  percent?: number;
  speed: number;
  eta?: number;
}

/** A progress bar over `units`, labelled `label`, on `out`. `now` is injectable for tests. */
export function createBar(
  out: TextOut,
  label: string,
  units: BarUnits,
  now: () => number = Date.now,
): ProgressBar {
  const tty = out.isTTY === true;
  let total: number | undefined;
  let startedAt = 0;
  let resumed = 0;
  let lastDraw = 0;
  let lastStep = -1;
  let done = 0;
  let drawn = false;

  const rates = (): Rates => {
    const seconds = (now() - startedAt) / 1000;
    // The first fraction of a second says nothing about the speed.
    const speed = seconds >= 0.5 ? (done - resumed) / seconds : 0;
    if (total === undefined || total === 0) return { speed };
    const percent = Math.min(100, (done / total) * 100);
    return { percent, speed, eta: speed > 0 ? (total - done) / speed : undefined };
  };

  const summary = (r: Rates): string => {
    const size = total === undefined ? units.amount(done) : `${units.amount(done)} / ${units.amount(total)}`;
    const eta = r.eta === undefined ? '' : `  ETA ${formatDuration(r.eta)}`;
    const speed = r.speed > 0 ? `  ${units.rate(r.speed)}` : '';
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
    start(t, resumedFrom = 0) {
      total = t;
      resumed = resumedFrom;
      done = resumedFrom;
      startedAt = now();
      lastDraw = 0;
      if (tty) drawBar();
      else out.write(`  ${label}: ${units.startLine(t, resumedFrom)}\n`);
      lastStep = total ? Math.floor((done / total) * 10) : 0;
    },
    update(d) {
      done = d;
      const t = now();
      if (tty) {
        if (t - lastDraw >= 100) {
          lastDraw = t;
          drawBar();
        }
        return;
      }
      if (total) {
        const step = Math.floor((done / total) * 10);
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
