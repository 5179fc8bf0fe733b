/**
 * Runs at most `concurrency` tasks at once, in arrival order. Decoding is CPU-bound (ffmpeg uses
 * every core it is given), so ingest jobs queue here rather than all running together.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number) {}

  /** Runs `task` once a slot is free; a task whose `signal` aborts while queued never starts. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running >= this.concurrency) {
      await new Promise<void>((resolve, reject) => {
        const start = () => {
          signal?.removeEventListener('abort', cancel);
          resolve();
        };
        const cancel = () => {
          const i = this.waiting.indexOf(start);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal?.reason);
        };
        this.waiting.push(start);
        signal?.addEventListener('abort', cancel, { once: true });
      });
    } else if (signal?.aborted) {
      throw signal.reason;
    }
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
