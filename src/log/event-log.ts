import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { CommitSignal } from "./commit-signal.js";
import { LogConsumer, type LogSource } from "./consumer.js";
import { FileCursorStore, readCursorFiles, removeTempFiles, validateConsumerName } from "./cursor-store.js";
import { DirLock } from "./dir-lock.js";
import { type Payload, validatePayload } from "./frame.js";
import { GroupCommit } from "./group-commit.js";
import { LogError } from "./log-error.js";
import { openSegments } from "./open-segments.js";
import { deletableSegments, slowestPosition } from "./retention.js";
import type { ReadBudget, Segment } from "./segment.js";
import { syncDir } from "./segment-files.js";
import type { Consumer, ConsumerOptions, EventLogOptions, LogLogger, LogRecord, LogStats } from "./types.js";

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const DEFAULT_BATCH_SIZE = 1024;
const DEFAULT_BATCH_BYTES = 16 * 1024 * 1024;
const silent: LogLogger = { warn() {} };

/**
 * The durable append-only event log: `<dir>/segments/<first seq>.seg` files of CRC'd frames,
 * `<dir>/cursors/<consumer>` positions, `<dir>/LOCK`. Appends resolve only once durable
 * (O_DSYNC writes), with dense seqs in resolution order; reads and consumers only ever see
 * durable records.
 */
export class EventLog {
  readonly stats: Readonly<LogStats>;
  private readonly consumers = new Map<string, LogConsumer>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly dir: string,
    private readonly segments: Segment[],
    private readonly writer: GroupCommit,
    private readonly lock: DirLock,
    private readonly commits: CommitSignal,
    private readonly fsync: boolean,
    private readonly logger: LogLogger,
    stats: LogStats,
  ) {
    this.stats = stats;
  }

  static async open(opts: EventLogOptions): Promise<EventLog> {
    const { dir, segmentBytes = DEFAULT_SEGMENT_BYTES, fsync = true, logger = silent } = opts;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1)
      throw new RangeError("segmentBytes must be positive");
    const segmentsDir = join(dir, "segments");
    await mkdir(segmentsDir, { recursive: true });
    await mkdir(join(dir, "cursors"), { recursive: true });
    const lock = await DirLock.acquire(dir);
    try {
      await removeTempFiles(join(dir, "cursors"));
      const { segments, active } = await openSegments(segmentsDir, fsync, logger);
      const stats: LogStats = { appends: 0, flushes: 0, fsyncs: 0, bytes: 0 };
      const commits = new CommitSignal();
      const writer = new GroupCommit(
        { segmentsDir, segments, segmentBytes, fsync, stats, logger, onCommit: () => commits.notify() },
        active,
      );
      return new EventLog(dir, segments, writer, lock, commits, fsync, logger, stats);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** Oldest retained seq. */
  get startSeq(): number {
    return this.segments[0]?.base ?? 0;
  }

  /** Next seq to assign; durable records are [startSeq, endSeq). */
  get endSeq(): number {
    return this.segments.at(-1)?.end ?? 0;
  }

  /**
   * Resolves with the record's seq once it is durable. The payload is captured on call (the
   * caller may reuse the buffer). Rejects with a RangeError for an empty or over 1 MiB payload,
   * and with the I/O error if the durable write failed, in which case nothing of it remains.
   */
  append(payload: Payload): Promise<number> {
    try {
      validatePayload(payload);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writer.enqueue([payload]);
  }

  /**
   * Like append for a caller that needs no seq (the recorder): appends made while a flush is in
   * flight share one queue entry and one promise, which costs less per record. Resolves once the
   * record is durable; rejects as append does.
   */
  appendGrouped(payload: Payload): Promise<unknown> {
    try {
      validatePayload(payload);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writer.enqueueGrouped(payload);
  }

  /** Like append for many records: they get consecutive seqs and become durable together. */
  appendBatch(payloads: Payload[]): Promise<number[]> {
    try {
      if (!Array.isArray(payloads)) throw new RangeError("appendBatch takes an array of payloads");
      for (const p of payloads) validatePayload(p);
    } catch (err) {
      return Promise.reject(err);
    }
    if (payloads.length === 0) return Promise.resolve([]);
    return this.writer.enqueue(payloads).then((first) => payloads.map((_, i) => first + i));
  }

  /**
   * Durable records with seq >= fromSeq, in order: at most `maxRecords`, and stopping before the
   * payload total would exceed `maxBytes` (but always at least one record if any exist). Returned
   * payloads may share memory with each other. Throws a RangeError for a seq outside
   * [startSeq, endSeq], and a LogError ERR_LOG_CORRUPT if stored bytes fail their CRC.
   */
  read(fromSeq: number, maxRecords: number, maxBytes = Number.POSITIVE_INFINITY): LogRecord[] {
    this.assertOpen();
    if (!Number.isSafeInteger(fromSeq) || fromSeq < this.startSeq || fromSeq > this.endSeq) {
      throw new RangeError(`seq ${fromSeq} is outside the log [${this.startSeq}, ${this.endSeq}]`);
    }
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1)
      throw new RangeError("maxRecords must be a positive integer");
    if (!(maxBytes > 0)) throw new RangeError("maxBytes must be positive");
    const out: LogRecord[] = [];
    const budget: ReadBudget = { records: maxRecords, bytes: maxBytes, full: false };
    for (let i = this.segmentIndexOf(fromSeq); i < this.segments.length; i++) {
      const segment = this.segments[i] as Segment;
      const seq = fromSeq + out.length;
      if (seq < segment.end) segment.read(seq, out, budget);
      if (budget.records === 0 || budget.full) break;
    }
    return out;
  }

  /**
   * Starts a background consumer (see LogConsumer). Throws a LogError ERR_CONSUMER_EXISTS if one
   * with this name is running, and a RangeError for a bad name, batch size or cursor position.
   */
  consume(opts: ConsumerOptions): Consumer {
    this.assertOpen();
    validateConsumerName(opts.name);
    if (this.consumers.has(opts.name)) {
      throw new LogError("ERR_CONSUMER_EXISTS", `consumer ${opts.name} is already running`);
    }
    const file = new FileCursorStore(this.cursorPath(opts.name), this.fsync);
    const consumer: LogConsumer = new LogConsumer(this.source(), {
      name: opts.name,
      apply: opts.apply,
      batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
      maxBatchBytes: opts.maxBatchBytes ?? DEFAULT_BATCH_BYTES,
      cursor: opts.cursor ?? file,
      retentionMark: file,
      markIsCursor: !opts.cursor,
      logger: this.logger,
      onStopped: () => {
        if (this.consumers.get(opts.name) === consumer) this.consumers.delete(opts.name);
      },
    });
    this.consumers.set(opts.name, consumer);
    return consumer;
  }

  /**
   * Stops the consumer if it runs and deletes its file in `<dir>/cursors`, so it no longer holds
   * back retention. A custom CursorStore's own state is the caller's to clear.
   */
  async dropConsumer(name: string): Promise<void> {
    validateConsumerName(name);
    await this.consumers.get(name)?.stop();
    await rm(this.cursorPath(name), { force: true });
    if (this.fsync) await syncDir(join(this.dir, "cursors"));
  }

  /**
   * Deletes, oldest first, every segment (never the active one) whose records all consumers have
   * applied: running ones and those with a file in `<dir>/cursors`. With no consumer known,
   * nothing is deleted. Returns how many segments went.
   */
  async enforceRetention(): Promise<number> {
    this.assertOpen();
    const live = new Map([...this.consumers].map(([name, c]) => [name, c.position] as const));
    const onDisk = await readCursorFiles(join(this.dir, "cursors"));
    const n = deletableSegments(this.segments, slowestPosition(live, onDisk));
    // Out of the list first (synchronously), so no read can pick a segment being deleted.
    const doomed = this.segments.splice(0, n);
    for (const segment of doomed) {
      segment.close();
      await rm(segment.path, { force: true });
    }
    if (n > 0 && this.fsync) await syncDir(join(this.dir, "segments"));
    return n;
  }

  /** Stops consumers after their current batch, flushes queued appends, closes files, unlocks. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    try {
      await Promise.all([...this.consumers.values()].map((c) => c.stop()));
      await this.writer.close();
    } finally {
      for (const segment of this.segments) segment.close();
      await this.lock.release();
    }
  }

  private source(): LogSource {
    return {
      startSeq: () => this.startSeq,
      endSeq: () => this.endSeq,
      read: (fromSeq, maxRecords, maxBytes) => this.read(fromSeq, maxRecords, maxBytes),
      onNextCommit: (listener) => this.commits.once(listener),
    };
  }

  /** Index of the segment holding `seq` (or the last one, for seq == endSeq). */
  private segmentIndexOf(seq: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.segments[mid] as Segment).base <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private cursorPath(name: string): string {
    return join(this.dir, "cursors", name);
  }

  private assertOpen(): void {
    if (this.closing) throw new LogError("ERR_LOG_CLOSED", "the event log is closed");
  }
}
