import { randomUUID } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { type DuckDBConnection, DuckDBInstance, type DuckDBResultReader } from "@duckdb/node-api";
import type { StoreFile } from "../lake-db.js";
import { readJsonColumns } from "./event-schema.js";

/** Parquet settings of files queries read often: zstd, Parquet 2 encodings, large row groups. */
const WELL_WRITTEN = "FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2, ROW_GROUP_SIZE 245760";

export interface WriteOptions {
  /** Store folder; files land in `<storeDir>/day=YYYY-MM-DD/part-<uuid>.parquet`. */
  storeDir: string;
  /** Events older than this are not written (the store's retention). */
  cutoff: Date;
  /** Existing files whose eventIDs must not be written again (imports are idempotent). */
  dedupeAgainst?: string[];
}

/**
 * Everything that writes Parquet: one DuckDB instance with file access, used only with SQL
 * OpenTrail builds itself (never a user's query; those run in the sandboxed QueryEngine).
 * Every file is the "well-written" kind: sorted by eventTime, zstd, Parquet 2 encodings,
 * large row groups; compaction only joins a day's small files into larger ones.
 */
export class ParquetWriter {
  /** Connections not in use; one statement runs on a connection at a time. */
  private readonly idle: DuckDBConnection[] = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly tmpDir: string,
  ) {}

  static async open(opts: { tmpDir: string; memoryLimit: string; threads: number }): Promise<ParquetWriter> {
    await mkdir(opts.tmpDir, { recursive: true });
    const instance = await DuckDBInstance.create(":memory:", {
      threads: String(opts.threads),
      memory_limit: opts.memoryLimit,
      temp_directory: join(opts.tmpDir, "spill"),
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
    const conn = await instance.connect();
    await conn.run("SET TimeZone = 'UTC'");
    return new ParquetWriter(instance, conn, opts.tmpDir);
  }

  get scratchDir(): string {
    return this.tmpDir;
  }

  /**
   * Writes the records of a JSON-lines file (one CloudTrail record per line) as Parquet files,
   * one per UTC day, sorted by eventTime. Fields of the wrong type become NULL instead of failing
   * the batch; records without a valid eventTime or eventID are dropped. Returns the new files.
   */
  async writeJsonLines(jsonl: string, opts: WriteOptions): Promise<StoreFile[]> {
    const out = join(this.tmpDir, `out-${process.hrtime.bigint()}`);
    const source = jsonLines(jsonl);
    const dedupe = opts.dedupeAgainst?.length
      ? `ANTI JOIN read_parquet(${list(opts.dedupeAgainst)}, hive_partitioning = false) old ON n.eventID = old.eventID`
      : "";
    const sql = `COPY (
        SELECT n.*, strftime(n.eventTime, '%Y-%m-%d') AS day FROM ${source} n ${dedupe}
        WHERE n.eventTime IS NOT NULL AND n.eventID IS NOT NULL AND n.eventTime >= ${tsLit(opts.cutoff)}
        ${opts.dedupeAgainst ? "QUALIFY row_number() OVER (PARTITION BY n.eventID) = 1" : ""}
        ORDER BY n.eventTime
      ) TO ${lit(out)} (${WELL_WRITTEN}, PARTITION_BY (day),
        FILENAME_PATTERN 'part-{uuid}', RETURN_STATS)`;
    try {
      const result = await this.conn.runAndReadAll(sql);
      return await this.placeFiles(copyStats(result), out, opts.storeDir);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }

  /** Loads a JSON-lines file of records into a table of the store's columns (see BatchStages). */
  async stageJsonLines(jsonl: string, table: string): Promise<void> {
    await this.withConnection((conn) =>
      conn.run(`CREATE TABLE "${table}" AS SELECT * FROM ${jsonLines(jsonl)}`),
    );
  }

  async dropTable(table: string): Promise<void> {
    await this.withConnection((conn) => conn.run(`DROP TABLE IF EXISTS "${table}"`));
  }

  /**
   * Ingest's write: the rows of a staged batch that one store takes for one UTC day become one
   * well-written file of the store (already in eventTime order unless `sorted` is false, so no
   * sort, partitioning or later compaction is needed for it). Rows past the cutoff, or without
   * a valid eventTime or eventID, are dropped as in writeJsonLines. Returns the file, or
   * undefined if none was left. Stores write on connections of their own, in parallel.
   */
  async writeStaged(
    table: string,
    select: { where: string; sorted: boolean },
    day: string,
    opts: WriteOptions,
  ): Promise<StoreFile | undefined> {
    const rel = join(`day=${day}`, `part-${randomUUID()}.parquet`);
    const out = join(this.tmpDir, `day-${randomUUID()}.parquet`);
    const sql = `COPY (SELECT * FROM "${table}" WHERE ${select.where}
        AND eventTime IS NOT NULL AND eventID IS NOT NULL AND eventTime >= ${tsLit(opts.cutoff)}
        ${select.sorted ? "" : "ORDER BY eventTime, rowid"}
      ) TO ${lit(out)} (${WELL_WRITTEN}, RETURN_STATS)`;
    try {
      const stats = copyStats(await this.withConnection((conn) => conn.runAndReadAll(sql)))[0] ?? [];
      const rows = Number(stats[1] ?? 0);
      if (rows === 0) return undefined;
      await mkdir(join(opts.storeDir, `day=${day}`), { recursive: true });
      await rename(out, join(opts.storeDir, rel));
      await fsyncPath(join(opts.storeDir, rel));
      await fsyncPath(join(opts.storeDir, `day=${day}`));
      return { path: rel, day, rows, bytes: Number(stats[2] ?? 0) };
    } finally {
      await rm(out, { force: true });
    }
  }

  /**
   * Merges files of one day into one sorted, well-compressed file (the compaction step). Every
   * input is sorted by eventTime; when their time ranges do not overlap (the usual case: ingest
   * writes a day in log order), reading them in order of their first event is already sorted,
   * which spares the sort of wide rows, the costliest part of the merge.
   */
  async mergeFiles(inputs: string[], target: string): Promise<{ rows: number; bytes: number }> {
    const ordered = await this.inTimeOrder(inputs);
    const source = `read_parquet(${list(ordered ?? inputs)}, hive_partitioning = false)`;
    const sql = `COPY (SELECT * FROM ${source} ${ordered ? "" : "ORDER BY eventTime"})
      TO ${lit(target)} (${WELL_WRITTEN}, RETURN_STATS)`;
    const stats = copyStats(await this.conn.runAndReadAll(sql))[0] ?? [];
    return { rows: Number(stats[1] ?? 0), bytes: Number(stats[2] ?? 0) };
  }

  /** The files ordered by first eventTime if their ranges are disjoint (from footers only). */
  private async inTimeOrder(files: string[]): Promise<string[] | undefined> {
    const ranges = await this.run(`SELECT file_name, min(CAST(stats_min_value AS TIMESTAMP)) AS lo,
        max(CAST(stats_max_value AS TIMESTAMP)) AS hi, count(*) - count(stats_min_value) AS unknown
      FROM parquet_metadata(${list(files)}) WHERE path_in_schema = 'eventTime' GROUP BY file_name ORDER BY lo`);
    if (ranges.length !== files.length) return undefined;
    for (let i = 0; i < ranges.length; i++) {
      const [, lo, hi, unknown] = ranges[i] as [string, string | null, string | null, string];
      if (lo === null || hi === null || Number(unknown) > 0) return undefined;
      const prevHi = i > 0 ? (ranges[i - 1] as unknown[])[2] : null;
      if (prevHi !== null && String(prevHi) > lo) return undefined;
    }
    return ranges.map((r) => String(r[0]));
  }

  /** Runs SQL that OpenTrail wrote (benchmarks, maintenance); never a user's statement. */
  async run(sql: string): Promise<unknown[][]> {
    return (await this.conn.runAndReadAll(sql)).getRowsJson() as unknown[][];
  }

  /** Runs `fn` on a connection of its own, so that several stores write at once. */
  private async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    let conn = this.idle.pop();
    if (!conn) {
      conn = await this.instance.connect();
      await conn.run("SET TimeZone = 'UTC'");
    }
    try {
      return await fn(conn);
    } finally {
      this.idle.push(conn);
    }
  }

  close(): void {
    for (const c of this.idle.splice(0)) c.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }

  private async placeFiles(stats: unknown[][], out: string, storeDir: string): Promise<StoreFile[]> {
    const files: StoreFile[] = [];
    for (const row of stats) {
      const written = String(row[0]);
      const rows = Number(row[1]);
      if (!written || rows === 0) continue;
      const rel = relative(out, written);
      const day = /day=(\d{4}-\d{2}-\d{2})/.exec(rel)?.[1];
      if (!day) continue;
      const dest = join(storeDir, rel);
      await mkdir(join(storeDir, `day=${day}`), { recursive: true });
      await rename(written, dest);
      await fsyncPath(dest);
      await fsyncPath(join(storeDir, `day=${day}`));
      files.push({ path: rel, day, rows, bytes: Number(row[2]) });
    }
    return files;
  }
}

/** A JSON-lines file as the store's columns; fields of the wrong type become NULL. */
function jsonLines(path: string): string {
  return `read_json(${lit(path)}, format = 'newline_delimited', ignore_errors = true,
    maximum_object_size = 16777216, columns = ${readJsonColumns()})`;
}

/**
 * File name, rows and bytes of each file a `COPY ... RETURN_STATS` wrote. Its other columns (a
 * map of every column's statistics) are not converted: that cost more than a small write.
 */
function copyStats(result: DuckDBResultReader): unknown[][] {
  const out: unknown[][] = [];
  for (let r = 0; r < result.currentRowCount; r++)
    out.push([String(result.value(0, r)), Number(result.value(1, r)), Number(result.value(2, r))]);
  return out;
}

/** The store's metadata commit follows, so the file must be on disk before it. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A SQL string literal. */
export function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

export function list(items: string[]): string {
  return `[${items.map(lit).join(", ")}]`;
}

export function tsLit(d: Date): string {
  return `TIMESTAMP ${lit(d.toISOString().replace("T", " ").replace("Z", ""))}`;
}
