import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../config/logger.js";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import type { Consumer, EventLog, LogRecord } from "../../log/index.js";
import type { LakeDb } from "../lake-db.js";
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
 * those the store selects, and writes them as Parquet (one file per UTC day per batch). The
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
    const lines: Buffer[] = [];
    for (const r of records) {
      let event: CloudTrailEvent;
      try {
        event = JSON.parse(r.payload.toString("utf8")) as CloudTrailEvent;
      } catch {
        continue;
      }
      if (this.deps.accepts(event)) lines.push(r.payload);
    }
    if (lines.length === 0) {
      this.deps.db.setCursor(this.deps.files.storeId, next);
      return;
    }
    const wait = this.lastWrite + this.deps.minIntervalMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const tmp = join(this.deps.writer.scratchDir, `ingest-${this.deps.files.storeId}-${next}.jsonl`);
    try {
      await writeFile(tmp, Buffer.concat(lines.flatMap((l) => [l, NEWLINE])));
      const added = await this.deps.writer.writeJsonLines(tmp, {
        storeDir: this.deps.files.dir,
        cutoff: this.deps.cutoff(),
      });
      await this.deps.files.commit(added, [], next);
    } finally {
      await rm(tmp, { force: true });
    }
    this.lastWrite = Date.now();
    this.deps.wrote();
  }
}

const NEWLINE = Buffer.from("\n");
