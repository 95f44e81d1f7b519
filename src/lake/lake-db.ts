import type Database from "better-sqlite3";
import { openSqliteFile } from "../config/sqlite-file.js";

/** One Parquet file of an event data store, relative to the store's folder. */
export interface StoreFile {
  path: string;
  /** UTC day of the file's first event (the partition folder it lives in). */
  day: string;
  /**
   * UTC day of its last event, for a file compaction merged from several days of an ended
   * month; absent when every event is of `day`.
   */
  lastDay?: string;
  rows: number;
  bytes: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stores (id TEXT PRIMARY KEY, record TEXT NOT NULL, next_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS files (store_id TEXT NOT NULL, path TEXT NOT NULL, day TEXT NOT NULL,
  rows INTEGER NOT NULL, bytes INTEGER NOT NULL, last_day TEXT, PRIMARY KEY (store_id, path));
CREATE TABLE IF NOT EXISTS channels (id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queries (id TEXT PRIMARY KEY, created INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (id TEXT PRIMARY KEY, created INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS import_failures (import_id TEXT NOT NULL, location TEXT NOT NULL, record TEXT NOT NULL,
  PRIMARY KEY (import_id, location));
`;

/**
 * Lake metadata in one SQLite file (`<dataDir>/lake/lake.db`, WAL, synchronous=FULL): event data
 * stores with their ingest cursor, the Parquet files of each store, channels, queries and
 * imports. A store's new files and its cursor commit in one transaction, so the log consumer
 * that feeds it is exactly-once: a crash before the commit replays the batch and the
 * orphaned files are deleted at start-up; one after it resumes past the batch.
 */
export class LakeDb {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = openSqliteFile(path, { synchronous: "FULL", schema: SCHEMA });
    // Files tables made before month files existed lack last_day.
    const columns = this.db.prepare("PRAGMA table_info(files)").all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === "last_day"))
      this.db.exec("ALTER TABLE files ADD COLUMN last_day TEXT");
  }

  close(): void {
    this.db.close();
  }

  loadRecords<T>(table: "stores" | "channels" | "queries" | "imports"): T[] {
    const rows = this.db.prepare(`SELECT record FROM ${table}`).all() as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as T);
  }

  putStore(id: string, record: unknown, nextSeq?: number): void {
    this.db
      .prepare(
        `INSERT INTO stores (id, record, next_seq) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET record = excluded.record,
           next_seq = CASE WHEN ? IS NULL THEN stores.next_seq ELSE excluded.next_seq END`,
      )
      .run(id, JSON.stringify(record), nextSeq ?? 0, nextSeq ?? null);
  }

  cursor(storeId: string): number {
    const row = this.db.prepare("SELECT next_seq FROM stores WHERE id = ?").get(storeId) as
      | { next_seq: number }
      | undefined;
    return row?.next_seq ?? 0;
  }

  /** `durable: false` skips the fsync, for a move a crash may lose (see putRecord). */
  setCursor(storeId: string, nextSeq: number, durable = true): void {
    if (!durable) this.db.pragma("synchronous = NORMAL");
    try {
      this.db.prepare("UPDATE stores SET next_seq = ? WHERE id = ?").run(nextSeq, storeId);
    } finally {
      if (!durable) this.db.pragma("synchronous = FULL");
    }
  }

  deleteStore(id: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM files WHERE store_id = ?").run(id);
      this.db.prepare("DELETE FROM stores WHERE id = ?").run(id);
    })();
  }

  files(storeId: string): StoreFile[] {
    const rows = this.db
      .prepare("SELECT path, day, last_day, rows, bytes FROM files WHERE store_id = ? ORDER BY day, path")
      .all(storeId) as Array<StoreFile & { last_day: string | null }>;
    return rows.map(({ last_day, ...f }) => (last_day ? Object.assign(f, { lastDay: last_day }) : f));
  }

  /** Adds and removes files (and moves the cursor) atomically. */
  commitFiles(storeId: string, add: StoreFile[], remove: string[], nextSeq?: number): void {
    const insert = this.db.prepare(
      "INSERT OR REPLACE INTO files (store_id, path, day, rows, bytes, last_day) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const del = this.db.prepare("DELETE FROM files WHERE store_id = ? AND path = ?");
    this.db.transaction(() => {
      for (const f of add) insert.run(storeId, f.path, f.day, f.rows, f.bytes, f.lastDay ?? null);
      for (const p of remove) del.run(storeId, p);
      if (nextSeq !== undefined) this.setCursor(storeId, nextSeq);
    })();
  }

  /**
   * Saves a record; `durable: false` skips the fsync for a state a crash may lose (the next
   * durable commit syncs it along: WAL commits are ordered).
   */
  putRecord(
    table: "channels" | "queries" | "imports",
    id: string,
    record: unknown,
    created = 0,
    durable = true,
  ): void {
    if (!durable) this.db.pragma("synchronous = NORMAL");
    try {
      this.writeRecord(table, id, record, created);
    } finally {
      if (!durable) this.db.pragma("synchronous = FULL");
    }
  }

  private writeRecord(
    table: "channels" | "queries" | "imports",
    id: string,
    record: unknown,
    created: number,
  ) {
    const sql =
      table === "channels"
        ? "INSERT OR REPLACE INTO channels (id, record) VALUES (?, ?)"
        : `INSERT OR REPLACE INTO ${table} (id, created, record) VALUES (?, ?, ?)`;
    if (table === "channels") this.db.prepare(sql).run(id, JSON.stringify(record));
    else this.db.prepare(sql).run(id, created, JSON.stringify(record));
  }

  deleteRecord(table: "channels" | "queries" | "imports", id: string): void {
    this.db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(id);
    if (table === "imports") this.db.prepare("DELETE FROM import_failures WHERE import_id = ?").run(id);
  }

  putImportFailure(importId: string, location: string, record: unknown): void {
    this.db
      .prepare("INSERT OR REPLACE INTO import_failures (import_id, location, record) VALUES (?, ?, ?)")
      .run(importId, location, JSON.stringify(record));
  }

  importFailures<T>(importId: string): T[] {
    const rows = this.db
      .prepare("SELECT record FROM import_failures WHERE import_id = ? ORDER BY location")
      .all(importId) as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as T);
  }
}
