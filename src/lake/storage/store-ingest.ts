import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../config/logger.js";
import type { Consumer, EventLog, LogRecord } from "../../log/index.js";
import type { LakeDb, StoreFile } from "../lake-db.js";
import type { StagedBatch } from "./batch-stages.js";
import { DayBatches } from "./day-batches.js";
import type { ParquetWriter } from "./parquet-writer.js";
import type { StoreFiles } from "./store-files.js";

export interface IngestDeps {
  log: EventLog;
  db: LakeDb;
  files: StoreFiles;
  writer: ParquetWriter;
  cutoff(): Date;
  /** The batch judged for this store and staged in DuckDB (shared with the other stores). */
  stage(records: readonly LogRecord[]): Promise<StagedBatch>;
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
 * those the store selects, and writes them as Parquet (one sorted file per UTC day per batch)
 * from the batch staged once in DuckDB for all stores. The
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
      // Large batches make large files: bulk ingest writes each event once, in files big enough
      // that compaction leaves them alone (see StoreFiles).
      batchSize: 200_000,
      maxBatchBytes: 256 * 1024 * 1024,
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
    const stage = await this.deps.stage(records);
    const { dir } = this.deps.files;
    const added: StoreFile[] = [];
    try {
      const takes = stage.takes.get(this.deps.files.storeId) as Uint8Array;
      const batches = new DayBatches();
      for (let i = 0; i < records.length; i++) {
        const day = stage.dayOf[i];
        if (takes[i] === 1 && day !== undefined)
          batches.add(day, stage.rowOf[i] as number, stage.timeOf[i] as number);
      }
      if (batches.size === 0) {
        // Nothing of the batch is the store's: a crash that loses this move only has the batch
        // judged again, so it is not worth an fsync, which blocks the event loop. Lake queries
        // make such batches several times a second (their API calls are recorded) for a store
        // that does not select those calls.
        this.deps.db.setCursor(this.deps.files.storeId, next, false);
        return;
      }
      const wait = this.lastWrite + this.deps.minIntervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      for (const [day, batch] of batches.days) {
        const table = stage.tables.get(day) as string;
        const file = await this.deps.writer.writeStaged(table, batch.selection(), day, {
          storeDir: dir,
          cutoff,
        });
        if (file) added.push(file);
      }
      await this.deps.files.commit(added, [], next);
    } catch (err) {
      // The batch is retried whole: files of it that were written but not committed go.
      await Promise.all(added.map((f) => rm(join(dir, f.path), { force: true })));
      throw err;
    } finally {
      stage.release();
    }
    this.lastWrite = Date.now();
    this.deps.wrote();
  }
}
