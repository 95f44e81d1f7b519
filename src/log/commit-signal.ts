/**
 * Under load, idle consumers are woken at most this often rather than after every flush: each
 * wake costs every consumer a read of the log and an apply (history's SQLite transaction, ...)
 * whatever the number of records, so waking once per few flushes makes their batches several
 * times larger for a few milliseconds of extra lag. A commit after a quiet spell wakes them at once.
 */
export const MIN_WAKE_INTERVAL_MS = 10;

/** Wakes whoever waits for the next flush (idle consumers), without polling. */
export class CommitSignal {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  private lastWake = Number.NEGATIVE_INFINITY;

  /** Calls `listener` once, after the next commit; returns a function that cancels it. */
  once(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Wakes the listeners on a later turn of the event loop, once the appenders' continuations
   * (answering their callers) have run: consumers are background work. The next turn when the
   * last wake is at least MIN_WAKE_INTERVAL_MS old, else when it will be.
   */
  notify(): void {
    if (this.scheduled || this.listeners.size === 0) return;
    this.scheduled = true;
    const wait = this.lastWake + MIN_WAKE_INTERVAL_MS - performance.now();
    // Not unref'd: someone awaiting a consumer's caughtUp() may be all that is left to run.
    if (wait <= 0) setImmediate(this.wake);
    else setTimeout(this.wake, wait);
  }

  private readonly wake = (): void => {
    this.scheduled = false;
    this.lastWake = performance.now();
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  };
}
