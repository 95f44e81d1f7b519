import { stat } from "node:fs/promises";
import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "./module-worker.js";

/** A WAL this large (and written to since its last checkpoint) is checkpointed. */
export const CHECKPOINT_WAL_BYTES = 1024 * 1024;
/**
 * How often the WALs are looked at. A writer that never pauses keeps a PASSIVE checkpoint from
 * ever finishing with the WAL, so the WAL restarts only when the connection's backstop fires;
 * frequent checkpoints leave that one little to copy. Measured at 1,500 commits/s of S3-index
 * rows for 20 s: commits over 5 ms 12 (max 13 ms) against 74 (max 32 ms) with SQLite's own
 * checkpoints.
 */
const INTERVAL_MS = 250;

/**
 * SQLite WAL checkpoints off the event loop. A connection in WAL mode checkpoints by itself when
 * its WAL passes wal_autocheckpoint pages, inside the commit that crossed it: the copy into the
 * database and its two fsyncs (10-30 ms here) then stall every request in flight. For the files
 * registered here, a timer looks at each WAL's size (fs.stat, on the thread pool) and, when one
 * has grown past CHECKPOINT_WAL_BYTES and was written since its last checkpoint, a worker thread
 * checkpoints it with a connection of its own (PASSIVE: writers are never blocked). The worker
 * starts only when a first WAL gets that large. The owners' connections keep a much larger
 * wal_autocheckpoint as a backstop (see openSqliteFile).
 */
export class WalCheckpointer {
  private readonly files = new Map<string, { users: number; checkpointedAt: number; running: boolean }>();
  private timer: NodeJS.Timeout | undefined;
  private worker: Worker | undefined;
  /** Checkpoints done, per path (for tests and diagnostics). */
  readonly done = new Map<string, number>();

  /** Whether `path` is looked after (a connection registered it and has not closed). */
  has(path: string): boolean {
    return this.files.has(path);
  }

  register(path: string): void {
    const known = this.files.get(path);
    if (known) known.users++;
    else this.files.set(path, { users: 1, checkpointedAt: 0, running: false });
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), INTERVAL_MS);
      this.timer.unref();
    }
  }

  unregister(path: string): void {
    const known = this.files.get(path);
    if (known && --known.users > 0) return;
    this.files.delete(path);
    if (this.files.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
  }

  /** Looks at every registered WAL now (the timer does it every second). */
  tick(): void {
    for (const [path, file] of this.files) {
      if (file.running) continue;
      file.running = true;
      stat(`${path}-wal`).then(
        (wal) => {
          if (wal.size >= CHECKPOINT_WAL_BYTES && wal.mtimeMs > file.checkpointedAt) {
            file.checkpointedAt = Date.now();
            this.checkpoint(path);
          } else file.running = false;
        },
        () => {
          file.running = false;
        },
      );
    }
  }

  private checkpoint(path: string): void {
    if (!this.worker) {
      const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
      const worker = startModuleWorker(new URL(`./wal-checkpoint-worker${ext}`, import.meta.url));
      worker.unref();
      worker.on("message", (m: { path: string; error?: string }) => {
        const file = this.files.get(m.path);
        if (file) file.running = false;
        if (!m.error) this.done.set(m.path, (this.done.get(m.path) ?? 0) + 1);
      });
      // A worker that dies is started again at the next checkpoint; the backstop covers the gap.
      worker.on("error", () => undefined);
      worker.on("exit", () => {
        if (this.worker === worker) this.worker = undefined;
        for (const file of this.files.values()) file.running = false;
      });
      this.worker = worker;
    }
    this.worker.postMessage(path);
  }
}

/** The process's checkpointer, shared by every file openSqliteFile opens. */
export const walCheckpointer = new WalCheckpointer();
