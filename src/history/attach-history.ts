import type { Consumer, ConsumerOptions } from "../log/types.js";
import type { HistoryIndex } from "./history-index.js";

/** The part of the event log that event history needs. */
export interface ConsumableLog {
  consume(opts: ConsumerOptions): Consumer;
}

export interface AttachHistoryOptions {
  /** How often retention runs; default every 10 minutes. */
  retentionIntervalMs?: number;
  batchSize?: number;
  clock?: () => Date;
}

/**
 * Feeds event history from the log: a consumer named "history" whose cursor lives in the history
 * database (exactly-once), plus retention at start and then periodically on an unref'd timer.
 * Stopping the returned consumer also stops the timer.
 */
export function attachHistory(
  log: ConsumableLog,
  index: HistoryIndex,
  opts: AttachHistoryOptions = {},
): Consumer {
  const clock = opts.clock ?? (() => new Date());
  const consumer = log.consume({
    name: "history",
    apply: (records) => index.apply(records),
    batchSize: opts.batchSize ?? 1024,
    cursor: index.cursor(),
  });
  const retain = () => {
    try {
      index.enforceRetention(clock());
    } catch {
      // Closed or failing database: the consumer reports failures of its own; retry next tick.
    }
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
