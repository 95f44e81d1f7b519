import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

/**
 * Opens a SQLite file under the data folder (creating its folder) in WAL mode, at the
 * `synchronous` level its owner's durability needs (see each owner for why), and applies its
 * `CREATE ... IF NOT EXISTS` schema. Trails, Lake, Insights and the S3 object index open theirs
 * this way; event history tunes more pragmas and opens its own.
 */
export function openSqliteFile(
  path: string,
  opts: { synchronous: "FULL" | "NORMAL"; schema: string },
): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${opts.synchronous}`);
    db.exec(opts.schema);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
