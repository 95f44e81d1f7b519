import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

const SCHEMA_VERSION = 1;

/**
 * The history database. `events` holds every kept record, compressed (record-codec), by log seq;
 * `postings` is the inverted index (posting-store); `strings`, `shapes` and `scopes` are the
 * append-only tables their ids point into; `meta` holds the consumer cursor, how far the index
 * is flushed, the retention cutoff and the NextToken key. WAL with synchronous=NORMAL: a crash
 * may lose the last transactions, never consistency, and the cursor rolls back with them, so
 * the log replays exactly what is missing.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scopes (id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, UNIQUE (account, region));
CREATE TABLE IF NOT EXISTS strings (id INTEGER PRIMARY KEY, s TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shapes (id INTEGER PRIMARY KEY, parts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, rec BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS postings (
  sk INTEGER NOT NULL, v INTEGER NOT NULL, tmin INTEGER NOT NULL, smin INTEGER NOT NULL,
  tmax INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (sk, v, tmin, smin)
) WITHOUT ROWID;
`;

export type MetaKey = "cursor" | "indexed" | "cutoff";

export interface HistoryDb {
  db: Database.Database;
  getMeta(key: MetaKey): number;
  setMeta(key: MetaKey, value: number): void;
  tokenKey: Buffer;
}

export function openHistoryDb(path: string): HistoryDb {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma("page_size = 4096");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    // Checkpoint every 16 MiB of WAL instead of every 4 MiB: each checkpoint fsyncs the database
    // file, and while caught up the WAL holds mostly the same few pages again and again.
    db.pragma("wal_autocheckpoint = 4096");
    db.pragma("cache_size = -32768");
    // Lookups read events at random: map the file instead of a pread per page.
    db.pragma("mmap_size = 1073741824");
    db.pragma("temp_store = MEMORY");
    db.exec(DDL);
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version === 0) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    else if (version !== SCHEMA_VERSION) {
      throw new Error(
        `history database ${path} has schema version ${version}; this OpenTrail expects ${SCHEMA_VERSION}`,
      );
    }
    const get = db.prepare("SELECT v FROM meta WHERE k = ?").pluck();
    const set = db.prepare(
      "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
    );
    let tokenKey = get.get("tokenKey") as Buffer | undefined;
    if (!tokenKey) {
      tokenKey = randomBytes(32);
      set.run("tokenKey", tokenKey);
    }
    return {
      db,
      getMeta: (key) => (get.get(key) as number | undefined) ?? 0,
      setMeta: (key, value) => {
        set.run(key, value);
      },
      tokenKey,
    };
  } catch (e) {
    db.close();
    throw e;
  }
}
