import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Logger } from "../../config/logger.js";
import type { LakeDb } from "../lake-db.js";
import type { CheckedStatement } from "../sql/statement-check.js";
import { emptyEventsSql } from "../storage/event-schema.js";
import { list, tsLit } from "../storage/parquet-writer.js";
import type { FileLease, StoreFiles } from "../storage/store-files.js";
import { chunkFormatter } from "./format-value.js";
import { ACTIVE_STATUSES, type QueryRecord, RESULT_RETENTION_MS } from "./query-model.js";
import { RecentResults } from "./recent-results.js";
import { resultColumnNames } from "./result-columns.js";
import { type ResultRow, ResultWriter, readRows } from "./result-file.js";
import type { SandboxPool, SandboxScope, SandboxSession } from "./sandbox.js";

/** A store a query reads, resolved and authorised when the query was submitted. */
export interface QueryStore {
  id: string;
  files: StoreFiles;
  /** Events before this are past the store's retention and invisible even if not yet deleted. */
  cutoff: Date;
}

export interface QueryJob {
  record: QueryRecord;
  /** The statement to run (store IDs quoted), already checked. */
  sql: string;
  checked: CheckedStatement;
  stores: QueryStore[];
  /** The sandbox it runs in: its caller's account, or the stores another account granted. */
  scope: SandboxScope;
}

export interface QueryEngineDeps {
  db: LakeDb;
  sandbox: SandboxPool;
  resultsDir: string;
  timeoutMs: number;
  /** Queries executing at once; the rest wait QUEUED (the machine has few cores). */
  maxRunning: number;
  now: () => number;
  logger: Logger;
  /** Writes a finished query's results to its DeliveryS3Uri. */
  deliver?: (record: QueryRecord, resultPath: string) => Promise<QueryRecord["deliveryStatus"]>;
}

interface Running {
  conn?: DuckDBConnection;
  cancelled: boolean;
  timedOut: boolean;
}

/**
 * Runs Lake queries: QUEUED until a slot is free, RUNNING in the job's sandbox with a view
 * per event data store over the files leased for the query, then FINISHED, FAILED, CANCELLED
 * (CancelQuery interrupts DuckDB) or TIMED_OUT (the time limit interrupts it; rows already
 * produced stay readable, as Lake's partial results). Records and results persist for seven
 * days.
 */
export class QueryEngine {
  private readonly records = new Map<string, QueryRecord>();
  private readonly queue: QueryJob[] = [];
  private readonly running = new Map<string, Running>();
  private readonly done = new Map<string, Array<() => void>>();
  private readonly recent = new RecentResults();

  constructor(private readonly deps: QueryEngineDeps) {
    mkdirSync(deps.resultsDir, { recursive: true });
    for (const r of deps.db.loadRecords<QueryRecord>("queries")) {
      // A query interrupted by a restart cannot resume: its connection is gone.
      if (ACTIVE_STATUSES.has(r.status)) {
        r.status = "FAILED";
        r.errorMessage = "The query was interrupted by a server restart.";
        this.save(r);
      }
      this.records.set(r.id, r);
    }
  }

  get(id: string): QueryRecord | undefined {
    return this.records.get(id);
  }

  all(): QueryRecord[] {
    return [...this.records.values()];
  }

  activeCount(accountId: string): number {
    return this.all().filter((r) => r.accountId === accountId && ACTIVE_STATUSES.has(r.status)).length;
  }

  resultPath(id: string): string {
    return join(this.deps.resultsDir, `${id}.jsonl`);
  }

  /** Rows [start, start + max) of a settled query's result: from memory if kept, else its file. */
  async results(record: QueryRecord, start: number, max: number): Promise<ResultRow[]> {
    return (
      this.recent.rows(record.id, start, max) ??
      (await readRows(this.resultPath(record.id), record.offsets, start, max))
    );
  }

  submit(job: QueryJob): void {
    this.records.set(job.record.id, job.record);
    this.save(job.record);
    this.queue.push(job);
    this.pump();
  }

  /** Resolves when the query has left QUEUED/RUNNING (tests, the CLI's wait). */
  settled(id: string): Promise<void> {
    const r = this.records.get(id);
    if (!r || !ACTIVE_STATUSES.has(r.status)) return Promise.resolve();
    return new Promise((resolve) => this.done.set(id, [...(this.done.get(id) ?? []), resolve]));
  }

  cancel(record: QueryRecord): void {
    const queued = this.queue.findIndex((j) => j.record.id === record.id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(record, "CANCELLED");
      return;
    }
    const run = this.running.get(record.id);
    if (run) {
      run.cancelled = true;
      run.conn?.interrupt();
    }
  }

  /** Deletes queries (and results) older than seven days. */
  async purge(): Promise<void> {
    const horizon = this.deps.now() - RESULT_RETENTION_MS;
    for (const r of this.all()) {
      if (ACTIVE_STATUSES.has(r.status) || (r.endedAt ?? r.createdAt) >= horizon) continue;
      this.records.delete(r.id);
      this.recent.forget(r.id);
      this.deps.db.deleteRecord("queries", r.id);
      await rm(this.resultPath(r.id), { force: true });
    }
  }

  /** Interrupts running queries and waits for them to settle. */
  async stop(): Promise<void> {
    for (const job of this.queue.splice(0)) this.finish(job.record, "CANCELLED");
    const ids = [...this.running.keys()];
    for (const run of this.running.values()) {
      run.cancelled = true;
      run.conn?.interrupt();
    }
    await Promise.all(ids.map((id) => this.settled(id)));
  }

  private pump(): void {
    while (this.running.size < this.deps.maxRunning && this.queue.length > 0) {
      const job = this.queue.shift() as QueryJob;
      const run: Running = { cancelled: false, timedOut: false };
      this.running.set(job.record.id, run);
      void this.execute(job, run).catch((err) => {
        this.deps.logger.error("query engine failure", { queryId: job.record.id, error: String(err) });
      });
    }
  }

  private async execute(job: QueryJob, run: Running): Promise<void> {
    const { record } = job;
    const started = this.deps.now();
    // Not saved: after a restart a RUNNING query is FAILED exactly as a QUEUED one is.
    record.status = "RUNNING";
    const leases: FileLease[] = [];
    const timer = setTimeout(() => {
      run.timedOut = true;
      run.conn?.interrupt();
    }, this.deps.timeoutMs);
    timer.unref();
    let writer: ResultWriter | undefined;
    try {
      const session = await this.deps.sandbox.acquire(job.scope);
      run.conn = session.conn;
      let reusable = false;
      try {
        for (const store of job.stores) {
          const lease = store.files.lease(job.checked.timeRanges.get(store.id));
          leases.push(lease);
          record.eventsScanned += lease.rows;
          record.bytesScanned += lease.bytes;
          await defineStoreView(session, store.id, storeView(lease, store.cutoff, job.checked.wholeRecord));
        }
        if (run.cancelled || run.timedOut) throw new Error("interrupted before start");
        // A query whose rows come only at its end runs to completion in one call (faster);
        // the others stream, so that a timeout keeps the rows they gave (Lake's partial results).
        const result = job.checked.rowsAtEnd
          ? await session.conn.run(job.sql)
          : await session.conn.stream(job.sql);
        record.columns = resultColumnNames(result.columnNames(), job.checked.selectList);
        writer = new ResultWriter(this.resultPath(record.id));
        const format = chunkFormatter(result.columnTypes());
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          await writer.append(format(chunk));
        }
        await writer.flush();
        reusable = !run.cancelled && !run.timedOut;
        this.collect(record, writer, started);
        if (writer.kept) this.recent.keep(record.id, writer.kept, writer.keptChars);
        this.finish(record, "FINISHED");
      } finally {
        // A later CancelQuery of this query must not interrupt the connection's next user.
        run.conn = undefined;
        this.deps.sandbox.release(session, reusable);
      }
    } catch (err) {
      if (writer) {
        await writer.flush().catch(() => undefined);
        this.collect(record, writer, started);
      } else record.executionMs = this.deps.now() - started;
      if (run.cancelled) this.finish(record, "CANCELLED");
      else if (run.timedOut) {
        record.errorMessage = `The query exceeded the time limit of ${Math.round(this.deps.timeoutMs / 1000)} seconds.`;
        this.finish(record, "TIMED_OUT");
      } else {
        record.errorMessage = queryErrorMessage(err);
        this.finish(record, "FAILED");
      }
    } finally {
      clearTimeout(timer);
      for (const lease of leases) lease.release();
      this.running.delete(record.id);
      this.pump();
    }
    if ((record.status as string) === "FINISHED" && record.deliveryS3Uri && this.deps.deliver) {
      record.deliveryStatus = await this.deps.deliver(record, this.resultPath(record.id));
      this.save(record);
    }
  }

  private collect(record: QueryRecord, writer: ResultWriter, started: number): void {
    record.resultsCount = writer.count;
    record.offsets = writer.offsets;
    record.executionMs = this.deps.now() - started;
  }

  private finish(record: QueryRecord, status: QueryRecord["status"]): void {
    record.status = status;
    record.endedAt = this.deps.now();
    if (record.deliveryS3Uri && status !== "FINISHED") record.deliveryStatus = "CANCELLED";
    this.save(record);
    for (const resolve of this.done.get(record.id) ?? []) resolve();
    this.done.delete(record.id);
  }

  /**
   * Query states are saved without an fsync of their own: they survive a crash of the process
   * (the WAL is in the OS's cache), the next synced commit of the Lake's metadata (ingest commits
   * every batch) carries them to disk, and only a power loss in between loses the latest state.
   * Three fsyncs per query were a large part of a small query's time.
   */
  private save(record: QueryRecord): void {
    this.deps.db.putRecord("queries", record.id, record, record.createdAt, false);
  }
}

/** Makes the store's ID name `view` on the session, unless it already does from an earlier query. */
async function defineStoreView(session: SandboxSession, storeId: string, view: string): Promise<void> {
  if (session.views.get(storeId) === view) return;
  session.views.delete(storeId);
  await session.conn.run(`CREATE OR REPLACE TEMP VIEW "${storeId}" AS ${view}`);
  session.views.set(storeId, view);
}

/**
 * The relation a store's ID names inside a query: its leased files, minus expired events, with
 * Lake's whole-record columns eventJson/eventJsonChecksum if the query may read them.
 */
function storeView(lease: FileLease, cutoff: Date, wholeRecord: boolean): string {
  const rows =
    lease.paths.length === 0
      ? `(${emptyEventsSql()})`
      : `read_parquet(${list(lease.paths)}, hive_partitioning = false)`;
  // Only files that reach back past the cutoff need the filter; without it a query that does
  // not read eventTime does not decode it.
  const mayHoldExpired = !(Date.parse(`${lease.firstDay}T00:00:00Z`) >= cutoff.getTime());
  // The whole-record columns are computed only for rows of queries that select them.
  const record = wholeRecord
    ? ", CAST(to_json(t) AS VARCHAR) AS eventJson, sha256(CAST(to_json(t) AS VARCHAR)) AS eventJsonChecksum"
    : "";
  return `SELECT t.*${record}
    FROM ${rows} t${mayHoldExpired ? ` WHERE t.eventTime >= ${tsLit(cutoff)}` : ""}`;
}

/** DuckDB's message without its internal detail (file paths of the store are not the user's). */
function queryErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split("\n")[0] ?? message;
  return first.replace(/"?\/[^\s"]*\.parquet"?/g, "<event data store>").slice(0, 1000);
}
