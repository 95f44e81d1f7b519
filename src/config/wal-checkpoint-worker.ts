/**
 * The worker side of WalCheckpointer: checkpoints the SQLite file each message names, with a
 * connection of its own opened for the occasion, and answers with the path (and the error, if
 * it failed).
 */
import { parentPort } from "node:worker_threads";
import Database from "better-sqlite3";

const port = parentPort;
if (!port) throw new Error("wal-checkpoint-worker runs only as a worker thread");

port.on("message", (path: string) => {
  let error: string | undefined;
  try {
    const db = new Database(path, { fileMustExist: true });
    try {
      // PASSIVE: copies what no reader still needs, and never waits for (or blocks) a writer.
      db.pragma("wal_checkpoint(PASSIVE)");
    } finally {
      db.close();
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  port.postMessage({ path, error });
});
