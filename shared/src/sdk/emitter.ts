/**
 * A tiny typed event emitter that runs in Node and browsers alike (no `node:events`). A listener
 * that throws does not stop the others: its error is reported asynchronously, the way a DOM
 * `EventTarget` reports one, so one faulty handler cannot make the client skip a fact.
 */

/** Any map of event names to listener signatures. */
export type EventMap = { [event: string]: (...args: never[]) => void };

/** Unsubscribes the listener it was returned for. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Typed `on` / `emit` over an event map. */
export class Emitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<(...args: never[]) => void>>();

  /** Adds `listener` for `event`; returns the function that removes it. */
  on<K extends keyof E>(event: K, listener: E[K]): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    // A wrapper per subscription, so subscribing the same function twice gives two independent handles.
    const entry = ((...args: never[]) => listener(...args)) as E[K];
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** True when at least one listener is subscribed to `event`. */
  has(event: keyof E): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  /** Calls every listener of `event` in subscription order. */
  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (...a: Parameters<E[K]>) => void)(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
