import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../config/logger.js";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import type { Consumer, EventLog, LogRecord } from "../../log/index.js";
import type { LakeDb, StoreFile } from "../lake-db.js";
import { DayBatches } from "./day-batches.js";
import type { ParquetWriter } from "./parquet-writer.js";
import type { StoreFiles } from "./store-files.js";

export interface IngestDeps {
  log: EventLog;
  db: LakeDb;
  files: StoreFiles;
  writer: ParquetWriter;
  /** Whether the store takes this event (selectors, account, Region, channel), as now configured. */
  accepts(event: CloudTrailEvent): boolean;
  cutoff(): Date;
  /** The records as events (shared with the other stores' consumers). */
  parse(records: readonly LogRecord[]): Array<CloudTrailEvent | undefined>;
  /** Minimum time between two Parquet writes, so a trickle of events does not make a file each. */
  minIntervalMs: number;
  logger: Logger;
  /** Called after each committed write (compaction scheduling). */
  wrote(): void;
}

export function ingestConsumerName(storeId: string): string {
  return `lake-${storeId}`;
}

/**
 * The log consumer that feeds one event data store: reads records from the event log, keeps
 * those the store selects, and writes them as Parquet (one sorted file per UTC day per batch). The
 * store's cursor lives in LakeDb and moves in the same transaction that adds the files, so each
 * event is written exactly once even across crashes. Events become queryable when their batch
 * commits: about `minIntervalMs` after they were recorded under a trickle, sooner under load
 * (batches are then large and the interval has already passed).
 */
export class StoreIngest {
  private consumer: Consumer | undefined;
  private lastWrite = 0;

  constructor(private readonly deps: IngestDeps) {}

  start(): void {
    if (this.consumer) return;
    const { db, files } = this.deps;
    this.consumer = this.deps.log.consume({
      name: ingestConsumerName(files.storeId),
      batchSize: 50_000,
      maxBatchBytes: 64 * 1024 * 1024,
      cursor: { load: () => db.cursor(files.storeId), save: () => undefined },
      apply: (records) => files.exclusive(() => this.apply(records)),
    });
  }

  get running(): boolean {
    return this.consumer !== undefined;
  }

  caughtUp(seq: number): Promise<void> {
    return this.consumer ? this.consumer.caughtUp(seq) : Promise.resolve();
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    await c?.stop();
  }

  private async apply(records: LogRecord[]): Promise<void> {
    const last = records[records.length - 1];
    if (!last) return;
    const next = last.seq + 1;
    const cutoff = this.deps.cutoff();
    const events = this.deps.parse(records);
    const batches = new DayBatches();
    for (let i = 0; i < records.length; i++) {
      const event = events[i];
      if (!event || !this.deps.accepts(event)) continue;
      batches.add((records[i] as LogRecord).payload, event.eventTime);
    }
    if (batches.size === 0) {
      this.deps.db.setCursor(this.deps.files.storeId, next);
      return;
    }
    const wait = this.lastWrite + this.deps.minIntervalMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const { dir } = this.deps.files;
    const tmp = join(this.deps.writer.scratchDir, `ingest-${this.deps.files.storeId}-${next}.jsonl`);
    const added: StoreFile[] = [];
    try {
      for (const [day, batch] of batches.days) {
        await writeFile(tmp, batch.jsonLines());
        const file = await this.deps.writer.writeDay(tmp, day, { storeDir: dir, cutoff });
        if (file) added.push(file);
      }
      await this.deps.files.commit(added, [], next);
    } catch (err) {
      // The batch is retried whole: files of it that were written but not committed go.
      await Promise.all(added.map((f) => rm(join(dir, f.path), { force: true })));
      throw err;
    } finally {
      await rm(tmp, { force: true });
    }
    this.lastWrite = Date.now();
    this.deps.wrote();
  }
}
