/** Wakes whoever waits for the next flush (idle consumers), without polling or timers. */
export class CommitSignal {
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` once, after the next commit; returns a function that cancels it. */
  once(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }
}
