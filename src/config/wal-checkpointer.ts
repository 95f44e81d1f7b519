import { open } from "node:fs/promises";
import { endianness } from "node:os";
import type { Worker } from "node:worker_threads";
import { startSiblingWorker } from "./module-worker.js";

/** A WAL with this many frames not yet copied into the database (1 MiB of 4 KiB pages) is checkpointed. */
export const CHECKPOINT_FRAMES = 256;
/**
 * How often the WALs are looked at. A writer that never pauses keeps a PASSIVE checkpoint from
 * ever finishing with the WAL, so the WAL restarts only when the connection's backstop fires;
 * frequent checkpoints leave that one little to copy. Measured at 1,500 commits/s of S3-index
 * rows for 20 s: 5 commits over 5 ms (max 15 ms, p99.9 0.46 ms) against 72 (max 17-23 ms,
 * p99.9 13 ms) with SQLite's own checkpoints.
 */
const INTERVAL_MS = 250;

/**
 * SQLite WAL checkpoints off the event loop. A connection in WAL mode checkpoints by itself when
 * its WAL passes wal_autocheckpoint pages, inside the commit that crossed it: the copy into the
 * database and its two fsyncs (10-30 ms here) then stall every request in flight. For the files
 * registered here, a timer reads how many frames each WAL holds that are not yet in the database
 * (from the wal-index header in the -shm file, on the thread pool) and, past CHECKPOINT_FRAMES,
 * a worker thread checkpoints that file with a connection of its own (PASSIVE: writers are never
 * blocked). A file written rarely is checkpointed rarely, as SQLite would. The worker starts
 * only when a first WAL gets that large. The owners' connections keep a much larger
 * wal_autocheckpoint as a backstop (see openSqliteFile).
 */
export class WalCheckpointer {
  private readonly files = new Map<string, { users: number; running: boolean }>();
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
    else this.files.set(path, { users: 1, running: false });
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

  /** Looks at every registered WAL now (the timer does it every 250 ms). */
  tick(): void {
    for (const [path, file] of this.files) {
      if (file.running) continue;
      file.running = true;
      uncheckpointedFrames(path).then(
        (frames) => {
          if (frames >= CHECKPOINT_FRAMES) this.checkpoint(path);
          else file.running = false;
        },
        () => {
          file.running = false;
        },
      );
    }
  }

  private checkpoint(path: string): void {
    if (!this.worker) {
      const worker = startSiblingWorker(import.meta.url, "wal-checkpoint-worker");
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

/**
 * Frames of the WAL of `path` not yet copied into the database: mxFrame minus nBackfill, read
 * from the wal-index header at the start of the -shm file (native byte order; mxFrame at byte
 * 16 of the header, nBackfill at byte 96 after its two 48-byte copies).
 * https://www.sqlite.org/walformat.html
 */
async function uncheckpointedFrames(path: string): Promise<number> {
  const shm = await open(`${path}-shm`, "r");
  try {
    const header = Buffer.alloc(100);
    const { bytesRead } = await shm.read(header, 0, header.length, 0);
    if (bytesRead < header.length || header[12] === 0) return 0; // not initialised yet
    const le = endianness() === "LE";
    const mxFrame = le ? header.readUInt32LE(16) : header.readUInt32BE(16);
    const nBackfill = le ? header.readUInt32LE(96) : header.readUInt32BE(96);
    return nBackfill <= mxFrame ? mxFrame - nBackfill : mxFrame;
  } finally {
    await shm.close();
  }
}

/** The process's checkpointer, shared by every file openSqliteFile opens. */
export const walCheckpointer = new WalCheckpointer();
