/**
 * Exports share the machine with clicks, which must feel instant. Exports never call the model (so
 * the GPU lane has nothing to order), but their ffmpeg processes are CPU-heavy: they run at a lower
 * OS priority, so the kernel gives the server's own work (and the model's threads) the CPU first,
 * and with a bounded thread count, so an encode never spreads over every core of a large machine.
 */
import { availableParallelism, setPriority } from 'node:os';

/** The nice value of an export's ffmpeg processes (0 is normal, 19 the lowest). */
export const EXPORT_NICE = 10;

/**
 * Threads one export's ffmpeg may use: the cores but one, at least 2 (x264 alone would take
 * 1.5 × the cores) and at most 8.
 */
export const EXPORT_THREADS = Math.min(8, Math.max(2, availableParallelism() - 1));

/** Lowers a spawned process's priority; where that is not permitted it keeps the normal one. */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, EXPORT_NICE);
  } catch {
    // Not permitted here (some containers): the export still runs, only not behind clicks.
  }
}

/** ffmpeg arguments with `-threads` placed as an output option (just before the output, the last argument). */
export function withThreads(args: readonly string[]): string[] {
  return [...args.slice(0, -1), '-threads', String(EXPORT_THREADS), ...args.slice(-1)];
}
