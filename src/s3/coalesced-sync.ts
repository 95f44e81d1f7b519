/**
 * Group commit for one fsync target (the index's WAL, an objects folder). Writers bump the
 * generation after each change; `flush()` resolves once an fsync that *started after* that
 * change has finished. Callers arriving while an fsync runs share the next one, so N
 * concurrent requests cost about two fsyncs instead of N, and none ever blocks the event loop.
 * A failed fsync rejects every caller waiting on it (their changes are not acknowledged).
 */
export class CoalescedSync {
  private synced = 0;
  private running: Promise<void> | undefined;

  /**
   * @param sync the fsync itself
   * @param generation a counter that grows with every change the fsync must cover
   */
  constructor(
    private readonly sync: () => Promise<void>,
    private readonly generation: () => number,
  ) {}

  /** Resolves when every change made before this call is on disk. */
  async flush(): Promise<void> {
    const target = this.generation();
    while (this.synced < target) {
      if (!this.running) this.running = this.start();
      await this.running;
    }
  }

  private start(): Promise<void> {
    const upTo = this.generation();
    const run: Promise<void> = Promise.resolve()
      .then(() => this.sync())
      .then(() => {
        if (upTo > this.synced) this.synced = upTo;
      })
      .finally(() => {
        if (this.running === run) this.running = undefined;
      });
    return run;
  }
}
