/** Wakes whoever waits for the next flush (idle consumers), without polling or timers. */
export class CommitSignal {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  /** Calls `listener` once, after the next commit; returns a function that cancels it. */
  once(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Wakes the listeners on the next turn of the event loop, once the appenders' continuations
   * (answering their callers) have run: consumers are background work.
   */
  notify(): void {
    if (this.scheduled || this.listeners.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const listeners = [...this.listeners];
      this.listeners.clear();
      for (const listener of listeners) listener();
    });
  }
}
