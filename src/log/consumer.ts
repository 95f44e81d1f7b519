import type { FileCursorStore } from "./cursor-store.js";
import { LogError } from "./log-error.js";
import type { Consumer, CursorStore, LogLogger, LogRecord } from "./types.js";

/** What a consumer needs from the log. */
export interface LogSource {
  startSeq(): number;
  endSeq(): number;
  read(fromSeq: number, maxRecords: number, maxBytes: number): LogRecord[];
  /** Calls `listener` once, after the next flush made records visible; returns a cancel function. */
  onNextCommit(listener: () => void): () => void;
}

export interface ConsumerSettings {
  name: string;
  apply(records: LogRecord[]): void | Promise<void>;
  batchSize: number;
  maxBatchBytes: number;
  cursor: CursorStore;
  /**
   * The consumer's file in `<dir>/cursors`, which retention reads. It is written when the
   * consumer starts, so that even one that stops before its first batch holds retention. When
   * `cursor` is a custom store, the file is also kept as a lagging copy of the position, so that
   * retention respects this consumer while it is not running.
   */
  retentionMark: FileCursorStore;
  /** True when `cursor` is `retentionMark` itself. */
  markIsCursor: boolean;
  logger: LogLogger;
  onStopped(): void;
}

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** A lagging retention mark only delays deletion, so it is refreshed at most this often. */
const MARK_INTERVAL_MS = 10_000;

interface Waiter {
  seq: number;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Runs one consumer: read a batch at the cursor, apply it, save the cursor, repeat; when caught
 * up, sleep until the next flush. Delivery is at least once: a crash between apply and save
 * replays the batch. A failing apply (or save) is retried with the very same batch, backing off
 * from 100 ms to 5 s. Timers are unref'd, so an idle or retrying consumer never keeps the
 * process alive.
 */
export class LogConsumer implements Consumer {
  readonly name: string;
  private next: number;
  private stopping = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private waiters: Waiter[] = [];
  private retry: LogRecord[] | undefined;
  private failures = 0;
  private lastMark = 0;
  private readonly loop: Promise<void>;

  constructor(
    private readonly source: LogSource,
    private readonly settings: ConsumerSettings,
  ) {
    const { name, batchSize, maxBatchBytes } = settings;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new RangeError("batchSize must be a positive integer");
    if (!(maxBatchBytes > 0)) throw new RangeError("maxBatchBytes must be positive");
    this.name = name;
    this.next = settings.cursor.load();
    if (!Number.isSafeInteger(this.next) || this.next < 0 || this.next > source.endSeq()) {
      throw new RangeError(
        `consumer ${name}: cursor ${this.next} is outside the log (end ${source.endSeq()}); was the log directory replaced?`,
      );
    }
    // Deferred so that `apply` never runs before `consume()` has returned.
    this.loop = Promise.resolve().then(() => this.run());
  }

  get position(): number {
    return this.next;
  }

  caughtUp(seq: number): Promise<void> {
    if (this.next >= seq) return Promise.resolve();
    if (this.stopped) return Promise.reject(this.stoppedError(seq));
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** Lets the batch in progress finish (apply and save), then ends the loop. */
  stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    return this.loop;
  }

  private async run(): Promise<void> {
    try {
      await this.mark(true);
      while (!this.stopping) await this.turn();
      if (!this.settings.markIsCursor) await this.mark(true);
    } finally {
      this.stopped = true;
      for (const w of this.waiters) w.reject(this.stoppedError(w.seq));
      this.waiters = [];
      this.settings.onStopped();
    }
  }

  private async turn(): Promise<void> {
    if (this.next < this.source.startSeq()) this.skipRetained();
    if (!this.retry && this.next >= this.source.endSeq()) return this.nextCommit();
    try {
      await this.step();
      this.failures = 0;
    } catch (err) {
      const delay = Math.min(BACKOFF_FIRST_MS * 2 ** this.failures++, BACKOFF_MAX_MS);
      this.settings.logger.warn("event log consumer failed; retrying the same batch", {
        consumer: this.name,
        fromSeq: this.next,
        retryInMs: delay,
        error: err instanceof Error ? err.message : String(err),
      });
      await this.sleep(delay);
    }
  }

  private async step(): Promise<void> {
    const batch =
      this.retry ?? this.source.read(this.next, this.settings.batchSize, this.settings.maxBatchBytes);
    this.retry = batch;
    await this.settings.apply(batch);
    const next = this.next + batch.length;
    await this.settings.cursor.save(next);
    this.retry = undefined;
    this.advance(next);
    await this.mark(false);
  }

  /** Only a consumer retention did not know about (new, or dropped) can be behind the log start. */
  private skipRetained(): void {
    this.settings.logger.warn("event log consumer starts before the oldest retained record; skipping", {
      consumer: this.name,
      cursor: this.next,
      startSeq: this.source.startSeq(),
    });
    this.retry = undefined;
    this.advance(this.source.startSeq());
  }

  private advance(next: number): void {
    this.next = next;
    const ready = this.waiters.filter((w) => w.seq <= next);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.seq > next);
    for (const w of ready) w.resolve();
  }

  private async mark(force: boolean): Promise<void> {
    const { retentionMark: mark, markIsCursor } = this.settings;
    if (!force && (markIsCursor || Date.now() - this.lastMark < MARK_INTERVAL_MS)) return;
    this.lastMark = Date.now();
    try {
      await mark.save(this.next);
    } catch (err) {
      this.settings.logger.warn("event log consumer could not update its retention mark", {
        consumer: this.name,
        error: String(err),
      });
    }
  }

  private nextCommit(): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.source.onNextCommit(() => done());
      const done = () => {
        cancel();
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }

  private stoppedError(seq: number): LogError {
    return new LogError(
      "ERR_CONSUMER_STOPPED",
      `consumer ${this.name} stopped at ${this.next} before reaching ${seq}`,
    );
  }
}
