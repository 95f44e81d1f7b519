import type { Logger } from "../../config/logger.js";
import type { Consumer, EventLog, LogRecord } from "../../log/index.js";
import { type BucketPolicyCheck, deliveryErrorCode, type TrailBucketStore } from "../bucket-store.js";
import type { TrailRecord } from "../trail-model.js";
import type { DeliveredFile, DeliveryIntent, TrailStore } from "../trail-store.js";
import { anySelected, compressLogFiles, type LogFileToWrite, nameLogFiles } from "./build-log-files.js";
import type { EpochIndex } from "./epoch-filter.js";

export interface DeliverySettings {
  intervalMs: number;
  /** A batch is cut early (and flushed at once) past this many log records or payload bytes. */
  maxRecords: number;
  maxBytes: number;
}

export interface TrailDeliveryDeps extends DeliverySettings {
  trailId: string;
  log: EventLog;
  store: TrailStore;
  buckets: TrailBucketStore;
  checkBucketPolicy: BucketPolicyCheck;
  epochs: EpochIndex;
  /** The trail as it is now (destination, status); undefined once deleted. */
  record(): TrailRecord | undefined;
  now(): number;
  logger: Logger;
  /** Told the keys of each delivered batch's log files (SNS notification), after the commit. */
  notify?(record: TrailRecord, bucket: string, keys: string[]): void;
}

const POLL_MS = 200;
const CURSOR_SAVE_MS = 2000;

export function consumerName(trailId: string): string {
  return `trail-${trailId}`;
}

/**
 * One trail's log consumer: selects records (by the epoch in force at each seq), batches them
 * per Region folder and writes CloudTrail log files, at most once per interval (a lone event
 * after a quiet period goes at once) or sooner when the backlog passes the size limits.
 *
 * Exactly once: a batch is [firstSeq, endSeq) of the log plus its delivery time and
 * destination, journaled durably (TrailStore.saveIntent) before any object is written; the
 * cursor, the journal's removal and the digest's file list commit in one transaction after the
 * last put. A crash in between replays the journal: same records, same epochs, same time, so
 * the same keys are rewritten with the same bytes. Failed puts set LatestDeliveryError and the
 * log consumer retries the same batch with backoff (100 ms → 5 s) until the store heals.
 * `apply` returns only once its records are delivered, so the consumer's retention position
 * never passes an undelivered record.
 */
export class TrailDelivery {
  private next: number;
  private intent: DeliveryIntent | undefined;
  private lastFileAt = 0;
  private lastCursorSave = 0;
  private consumer: Consumer | undefined;
  private stopping = false;
  private discarding = false;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: TrailDeliveryDeps) {
    const saved = deps.store.delivery(deps.trailId);
    this.intent = saved.intent;
    this.next = saved.intent?.firstSeq ?? saved.nextSeq;
  }

  /** Every seq below this is delivered or selected nothing. */
  get position(): number {
    return this.next;
  }

  get pending(): boolean {
    return this.intent !== undefined;
  }

  start(): void {
    this.consumer = this.deps.log.consume({
      name: consumerName(this.deps.trailId),
      // A consumer batch is a whole file's worth, so a backlog is read from the log once.
      batchSize: this.deps.maxRecords,
      maxBatchBytes: this.deps.maxBytes,
      cursor: { load: () => this.next, save: () => this.saveCursor() },
      apply: (records) => this.apply(records),
    });
  }

  /** Resolves once every seq < `seq` is delivered (or selected nothing). */
  caughtUp(seq: number): Promise<void> {
    return this.consumer ? this.consumer.caughtUp(seq) : Promise.reject(new Error("delivery not started"));
  }

  /**
   * Stops the consumer. By default the batch in progress is flushed first (shutdown); with
   * `discard` (DeleteTrail) nothing more is written.
   */
  async stop(opts: { discard?: boolean } = {}): Promise<void> {
    this.stopping = true;
    this.discarding = opts.discard === true;
    this.wake?.();
    await this.consumer?.stop();
  }

  private async apply(records: LogRecord[]): Promise<void> {
    const last = records.at(-1)?.seq;
    if (this.discarding || last === undefined || last < this.next) return;
    const fresh = (records[0]?.seq ?? 0) >= this.next ? records : records.filter((r) => r.seq >= this.next);
    if (!this.intent && !anySelected(fresh, this.deps.epochs)) {
      this.next = last + 1;
      return;
    }
    while (this.next <= last && !this.discarding) {
      let batch: LogRecord[] | undefined;
      if (!this.intent) {
        await this.waitForDeadline();
        batch = this.takeBatch(fresh);
        this.intent = this.journal(batch);
      }
      await this.deliver(this.intent, batch);
    }
  }

  private journal(batch: LogRecord[]): DeliveryIntent {
    const config = this.requireRecord().config;
    const intent: DeliveryIntent = {
      firstSeq: this.next,
      endSeq: this.next + batch.length,
      deliveredAt: this.deps.now(),
      bucket: config.s3BucketName,
      prefix: config.s3KeyPrefix,
    };
    this.deps.store.saveIntent(this.deps.trailId, intent);
    return intent;
  }

  private async deliver(intent: DeliveryIntent, batch?: LogRecord[]): Promise<void> {
    const records = batch ?? this.readBatch(intent.firstSeq, intent.endSeq - intent.firstSeq);
    const compressed = await compressLogFiles(records, this.deps.epochs);
    const record = this.requireRecord();
    const { config } = record;
    const files = nameLogFiles(compressed, {
      trailArn: config.arn,
      accountId: config.accountId,
      prefix: intent.prefix,
      deliveredAt: intent.deliveredAt,
    });
    try {
      await this.put(intent, files, record);
    } catch (err) {
      this.recordFailure(record, intent, err);
      throw err;
    }
    const now = this.deps.now();
    record.status = {
      ...record.status,
      latestDeliveryAttemptTime: now,
      latestDeliveryTime: files.length > 0 ? now : record.status.latestDeliveryTime,
      latestDeliveryError: undefined,
    };
    const delivered: DeliveredFile[] = files.map((f) => ({
      region: f.region,
      bucket: intent.bucket,
      key: f.key,
      hash: f.hash,
      newestEventTime: f.newestEventTime,
      oldestEventTime: f.oldestEventTime,
      deliveredAt: now,
    }));
    this.deps.store.commitDelivery(this.deps.trailId, intent.endSeq, delivered, record.status);
    this.next = intent.endSeq;
    this.intent = undefined;
    if (files.length > 0) {
      this.lastFileAt = now;
      this.deps.notify?.(
        record,
        intent.bucket,
        files.map((f) => f.key),
      );
    }
    const dropped = this.deps.epochs.pruneBefore(this.next);
    if (dropped.length > 0)
      this.deps.store.deleteEpochs(
        this.deps.trailId,
        dropped.map((e) => e.fromSeq),
      );
  }

  private async put(intent: DeliveryIntent, files: LogFileToWrite[], record: TrailRecord): Promise<void> {
    if (files.length === 0) return;
    const { config } = record;
    const allowed = await this.deps.checkBucketPolicy({
      bucket: intent.bucket,
      prefix: intent.prefix,
      accountId: config.accountId,
      trailArn: config.arn,
      region: config.homeRegion,
    });
    if (!allowed)
      throw Object.assign(new Error(`Access Denied to bucket ${intent.bucket}`), { code: "AccessDenied" });
    for (const f of files) {
      await this.deps.buckets.putObject(intent.bucket, f.key, f.gz, {
        contentType: "application/json",
        contentEncoding: "gzip",
      });
    }
  }

  private recordFailure(record: TrailRecord, intent: DeliveryIntent, err: unknown): void {
    const code = deliveryErrorCode(err);
    record.status = {
      ...record.status,
      latestDeliveryError: code,
      latestDeliveryAttemptTime: this.deps.now(),
    };
    this.deps.store.saveStatus(this.deps.trailId, record.status);
    this.deps.logger.warn("trail delivery failed; retrying", {
      trail: record.config.arn,
      bucket: intent.bucket,
      error: code,
      message: err instanceof Error ? err.message : String(err),
    });
    // A batch not yet written anywhere follows UpdateTrail to a new bucket or prefix.
    const { s3BucketName, s3KeyPrefix } = record.config;
    if (s3BucketName !== intent.bucket || s3KeyPrefix !== intent.prefix) {
      this.intent = { ...intent, bucket: s3BucketName, prefix: s3KeyPrefix };
      this.deps.store.saveIntent(this.deps.trailId, this.intent);
    }
  }

  /** Waits out the interval since the last delivered file, unless stopping or the backlog is large. */
  private async waitForDeadline(): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      const remaining = this.lastFileAt + this.deps.intervalMs - this.deps.now();
      if (remaining <= 0 || this.deps.log.endSeq - this.next >= this.deps.maxRecords) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(remaining, POLL_MS));
        timer.unref();
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  /**
   * The next batch from `this.next`: the records the consumer already read, then (when the
   * wait let more arrive) the log's newer records, within the size limits. Records read here
   * beyond the consumer's batch come to `apply` again later and are skipped as delivered.
   */
  private takeBatch(have: readonly LogRecord[]): LogRecord[] {
    const { maxRecords, maxBytes } = this.deps;
    const batch: LogRecord[] = [];
    let bytes = 0;
    for (let i = this.next - (have[0]?.seq ?? this.next); i < have.length; i++) {
      const r = have[i] as LogRecord;
      if (batch.length === maxRecords || (batch.length > 0 && bytes + r.payload.length > maxBytes))
        return batch;
      bytes += r.payload.length;
      batch.push(r);
    }
    const from = this.next + batch.length;
    if (batch.length === 0) return this.readBatch(from, maxRecords, maxBytes);
    if (batch.length === maxRecords || bytes >= maxBytes) return batch;
    for (const r of this.readBatch(from, maxRecords - batch.length, maxBytes - bytes)) {
      if (bytes + r.payload.length > maxBytes) break;
      bytes += r.payload.length;
      batch.push(r);
    }
    return batch;
  }

  private readBatch(from: number, maxRecords: number, maxBytes = Number.POSITIVE_INFINITY): LogRecord[] {
    const count = Math.min(this.deps.log.endSeq, from + maxRecords) - from;
    return count > 0 ? this.deps.log.read(from, count, maxBytes) : [];
  }

  /** Records that selected nothing need no journal; the cursor only saves a rescan after restart. */
  private saveCursor(): void {
    const now = this.deps.now();
    if (this.intent || now - this.lastCursorSave < CURSOR_SAVE_MS) return;
    this.lastCursorSave = now;
    this.deps.store.saveCursor(this.deps.trailId, this.next);
  }

  private requireRecord(): TrailRecord {
    const record = this.deps.record();
    if (!record) throw new Error(`trail ${this.deps.trailId} no longer exists`);
    return record;
  }
}
