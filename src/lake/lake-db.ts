import type Database from "better-sqlite3";
import { openSqliteFile } from "../config/sqlite-file.js";

/** One Parquet file of an event data store, relative to the store's folder. */
export interface StoreFile {
  path: string;
  /** UTC day of every event in the file (the partition). */
  day: string;
  rows: number;
  bytes: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stores (id TEXT PRIMARY KEY, record TEXT NOT NULL, next_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS files (store_id TEXT NOT NULL, path TEXT NOT NULL, day TEXT NOT NULL,
  rows INTEGER NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (store_id, path));
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

  setCursor(storeId: string, nextSeq: number): void {
    this.db.prepare("UPDATE stores SET next_seq = ? WHERE id = ?").run(nextSeq, storeId);
  }

  deleteStore(id: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM files WHERE store_id = ?").run(id);
      this.db.prepare("DELETE FROM stores WHERE id = ?").run(id);
    })();
  }

  files(storeId: string): StoreFile[] {
    return this.db
      .prepare("SELECT path, day, rows, bytes FROM files WHERE store_id = ? ORDER BY day, path")
      .all(storeId) as StoreFile[];
  }

  /** Adds and removes files (and moves the cursor) atomically. */
  commitFiles(storeId: string, add: StoreFile[], remove: string[], nextSeq?: number): void {
    const insert = this.db.prepare(
      "INSERT OR REPLACE INTO files (store_id, path, day, rows, bytes) VALUES (?, ?, ?, ?, ?)",
    );
    const del = this.db.prepare("DELETE FROM files WHERE store_id = ? AND path = ?");
    this.db.transaction(() => {
      for (const f of add) insert.run(storeId, f.path, f.day, f.rows, f.bytes);
      for (const p of remove) del.run(storeId, p);
      if (nextSeq !== undefined) this.setCursor(storeId, nextSeq);
    })();
  }

  putRecord(table: "channels" | "queries" | "imports", id: string, record: unknown, created = 0): void {
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
