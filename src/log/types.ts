/**
 * The durable event log's public contract. The request path only appends; every consumer
 * (history index, trail delivery, Lake, Insights, ...) integrates afterwards from its own
 * durable cursor, so a consumer must apply records idempotently: after a crash it may see
 * records again that it applied but had not yet checkpointed.
 */
export interface LogRecord {
  /** Position in the log: dense, starts at 0, never reused. */
  seq: number;
  payload: Buffer;
}

/** Where a consumer keeps its position. The default is a small fsync'd file in the log folder;
 * a consumer that commits its own state transactionally (SQLite) can keep it there instead,
 * which turns "at least once" into "exactly once". */
export interface CursorStore {
  /** The next seq to apply (0 for a new consumer). */
  load(): number;
  /** Durably record that every seq < next has been applied. */
  save(next: number): void | Promise<void>;
}

export interface ConsumerOptions {
  /** Unique, stable name; also the retention key: segments are kept until every consumer passed them. */
  name: string;
  /** Apply a batch in seq order. Throwing pauses the consumer and retries the same batch with backoff. */
  apply(records: LogRecord[]): void | Promise<void>;
  batchSize?: number;
  /** Payload bytes per batch, so that large records do not make huge batches (at least one
   * record is always delivered). Default 16 MiB. */
  maxBatchBytes?: number;
  cursor?: CursorStore;
}

export interface Consumer {
  readonly name: string;
  /** The next seq this consumer will apply. */
  readonly position: number;
  /** Resolves once every seq < `seq` has been applied (and checkpointed). */
  caughtUp(seq: number): Promise<void>;
  stop(): Promise<void>;
}

/** Where the log reports what it repaired or retried; silent unless one is given. */
export interface LogLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface EventLogOptions {
  dir: string;
  /** A segment is rolled before a record would take it past this size. Default 64 MiB. */
  segmentBytes?: number;
  /**
   * Write durably (O_DSYNC) before acknowledging appends. Default true; false only for tests and
   * scratch data.
   */
  fsync?: boolean;
  logger?: LogLogger;
}

/** Counters since open, for tests and benchmarks. */
export interface LogStats {
  /** Records made durable. */
  appends: number;
  /** Group commits: each wrote every queued frame with one write per segment touched. */
  flushes: number;
  /** Durable writes to segment files (one per segment a flush touches). */
  fsyncs: number;
  /** Framed bytes made durable. */
  bytes: number;
}
