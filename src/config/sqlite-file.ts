import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { walCheckpointer } from "./wal-checkpointer.js";

/**
 * The connection's own checkpoint, a backstop should the checkpointer fall behind: 64 MiB of
 * WAL, against the checkpointer's 4 MiB.
 */
const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_384;

/**
 * Opens a SQLite file under the data folder (creating its folder) in WAL mode, at the
 * `synchronous` level its owner's durability needs (see each owner for why), and applies its
 * `CREATE ... IF NOT EXISTS` schema. Trails, Lake, Insights and the S3 object index open theirs
 * this way; event history tunes more pragmas and opens its own (on a thread of its own).
 * Checkpoints are the WalCheckpointer's, off the event loop; closing the connection ends that.
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
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    db.exec(opts.schema);
  } catch (err) {
    db.close();
    throw err;
  }
  walCheckpointer.register(path);
  const close = db.close.bind(db);
  // Every owner closes its connection with close(): that is where its checkpoints stop.
  db.close = () => {
    walCheckpointer.unregister(path);
    return close();
  };
  return db;
}
