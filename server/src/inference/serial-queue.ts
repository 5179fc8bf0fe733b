/**
 * Runs async tasks one at a time, in call order. A video state's banks are mutated across
 * awaits, so its calls must not interleave even if a caller forgets to serialise them.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; its result (or error) is returned, and never blocks later tasks. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
