/**
 * Cooperative cancellation for model work. A token is cancelled once, with a reason; work that is
 * queued on the GPU lane is dropped at once, work that is running checks `cancelled` (or calls
 * `throwIfCancelled()`) between its own sub-steps. Tokens link into trees: cancelling a session's
 * token cancels every propagation it started, cancelling one propagation leaves the session alone.
 */

/** The error every cancelled piece of work rejects with. Its `code` is the shared `CANCELLED` code. */
export class CancelledError extends Error {
  readonly code = 'CANCELLED' as const;

  constructor(
    /** Why the work was cancelled, as given to `CancelToken.cancel`. */
    readonly reason: string,
  ) {
    super(`Cancelled: ${reason}`);
    this.name = 'CancelledError';
  }
}

/** True for errors that mean "this work was cancelled" rather than "this work failed". */
export function isCancelled(err: unknown): err is CancelledError {
  return err instanceof CancelledError;
}

type Listener = (reason: string) => void;

/** A one-shot cancellation flag with listeners and parent → child links. */
export class CancelToken {
  #reason: string | undefined;
  #listeners = new Set<Listener>();
  #detachFromParents: Array<() => void> = [];
  #controller: AbortController | undefined;

  /**
   * A token cancelled when any of `parents` is (or when cancelled itself). Already-cancelled parents
   * cancel it immediately.
   */
  constructor(...parents: CancelToken[]) {
    for (const parent of parents) {
      if (this.cancelled) break;
      this.#detachFromParents.push(parent.onCancel((reason) => this.cancel(reason)));
    }
  }

  /** Whether `cancel` has been called on this token or one of its ancestors. */
  get cancelled(): boolean {
    return this.#reason !== undefined;
  }

  /** The reason given to `cancel`, once cancelled. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /**
   * An `AbortSignal` that aborts with a `CancelledError` when this token is cancelled, for APIs that
   * take one (fetch, child_process, timers/promises).
   */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(new CancelledError(this.#reason));
    }
    return this.#controller.signal;
  }

  /**
   * Cancels the token and its children. Idempotent: the first reason wins. Listeners run
   * synchronously, in registration order; a throwing listener does not stop the others.
   */
  cancel(reason = 'cancelled'): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#detach();
    this.#controller?.abort(new CancelledError(reason));
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) {
      try {
        listener(reason);
      } catch (err) {
        // A listener's bug must not keep the rest of the tree running; surface it without throwing.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /**
   * Runs `listener` when the token is cancelled (at once if it already is). Returns a function that
   * removes the listener, so short-lived work does not leak listeners on a long-lived token.
   */
  onCancel(listener: Listener): () => void {
    if (this.#reason !== undefined) {
      listener(this.#reason);
      return () => {};
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Throws a `CancelledError` if the token is cancelled; call it between sub-steps of running work. */
  throwIfCancelled(): void {
    if (this.#reason !== undefined) throw new CancelledError(this.#reason);
  }

  /** A child token: cancelled with this one, but cancelling it leaves this one alone. */
  child(): CancelToken {
    return new CancelToken(this);
  }

  /**
   * Unlinks the token from its parents without cancelling it. Call it when the work a child token
   * guarded has finished, so a long-lived parent does not keep it alive.
   */
  dispose(): void {
    this.#detach();
    this.#listeners.clear();
  }

  #detach(): void {
    for (const detach of this.#detachFromParents) detach();
    this.#detachFromParents = [];
  }
}
