/**
 * Lets many reads share a file handle while an exclusive holder (compaction swapping the file,
 * close) waits for them to finish and keeps new ones out until it releases the gate.
 */
export class ReadGate {
  private readers = 0;
  private drained: (() => void) | null = null;
  private blocked: Promise<void> | null = null;
  private release: () => void = () => {};

  /** Waits while the gate is held exclusively, then counts one reader in. */
  async enter(): Promise<void> {
    while (this.blocked) await this.blocked;
    this.readers++;
  }

  leave(): void {
    this.readers--;
    if (this.readers === 0) this.drained?.();
  }

  /** Closes the gate to new readers and resolves once the running ones have left. */
  async hold(): Promise<void> {
    while (this.blocked) await this.blocked;
    this.blocked = new Promise((resolve) => {
      this.release = resolve;
    });
    while (this.readers > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
    }
    this.drained = null;
  }

  /** Reopens the gate after `hold`. */
  unhold(): void {
    this.blocked = null;
    this.release();
  }
}
