import type { Consumer, ConsumerOptions, CursorStore, LogRecord } from "../log/types.js";

/** The part of the event log that event history needs. */
export interface ConsumableLog {
  consume(opts: ConsumerOptions): Consumer;
}

/** What the consumer feeds: a HistoryIndex, or a HistoryThread running one. */
export interface IndexedHistory {
  apply(records: LogRecord[]): void | Promise<void>;
  cursor(): CursorStore;
  enforceRetention(now: Date): unknown;
}

export interface AttachHistoryOptions {
  /** How often retention runs; default every 10 minutes. */
  retentionIntervalMs?: number;
  batchSize?: number;
  /**
   * While the consumer is caught up (batches smaller than batchSize), it commits at most this
   * often; default 200 ms. 0 commits every batch as it comes.
   */
  minCommitIntervalMs?: number;
  clock?: () => Date;
}

/**
 * Feeds event history from the log: a consumer named "history" whose cursor lives in the history
 * database (exactly-once) and which commits at most every `minCommitIntervalMs` while caught
 * up, plus retention at start and then periodically on an unref'd timer.
 * Stopping the returned consumer also stops the timer.
 */
export function attachHistory(
  log: ConsumableLog,
  index: IndexedHistory,
  opts: AttachHistoryOptions = {},
): Consumer {
  const clock = opts.clock ?? (() => new Date());
  const batchSize = opts.batchSize ?? 1024;
  const interval = opts.minCommitIntervalMs ?? 200;
  let lastCommit = Number.NEGATIVE_INFINITY;
  const consumer = log.consume({
    name: "history",
    apply: async (records) => {
      // Caught up, records trickle in one per API call. A SQLite commit per record would write
      // the WAL (and now and then checkpoint it) between the log's own fdatasyncs, which on ext4
      // delays them and with them every recorded call; waiting a little lets them gather into
      // one batch and one commit. A full batch (catching up) is applied at once.
      if (records.length < batchSize) {
        const wait = lastCommit + interval - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await index.apply(records);
      lastCommit = performance.now();
    },
    batchSize,
    cursor: index.cursor(),
  });
  const retain = () => {
    // A closed or failing database: the consumer reports failures of its own; retry next tick.
    try {
      const done = index.enforceRetention(clock());
      if (done instanceof Promise) done.catch(() => undefined);
    } catch {}
  };
  retain();
  const timer = setInterval(retain, opts.retentionIntervalMs ?? 600_000);
  timer.unref();
  return {
    name: consumer.name,
    get position() {
      return consumer.position;
    },
    caughtUp: (seq) => consumer.caughtUp(seq),
    stop: async () => {
      clearInterval(timer);
      await consumer.stop();
    },
  };
}
