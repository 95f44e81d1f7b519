import { readFile, realpath, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LogError } from "./log-error.js";

/** Directories held by an open EventLog in this process. */
const held = new Set<string>();

/**
 * One writer per log directory: two would interleave frames and corrupt the log. The lock is a
 * `LOCK` file holding the owner's pid; a lock whose process is gone (a crash, kill -9) is taken
 * over, since a crashed owner can never release it. Node has no flock, so two processes
 * breaking the same stale lock at the same instant is not excluded; that needs an operator
 * starting two servers on one directory at once after a crash.
 */
export class DirLock {
  private constructor(
    private readonly key: string,
    private readonly path: string,
  ) {}

  static async acquire(dir: string): Promise<DirLock> {
    const key = await realpath(dir);
    if (held.has(key)) throw locked(dir, process.pid);
    const path = join(dir, "LOCK");
    try {
      await writeFile(path, `${process.pid}\n`, { flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (owner !== process.pid && isAlive(owner)) throw locked(dir, owner);
      await writeFile(path, `${process.pid}\n`);
    }
    held.add(key);
    return new DirLock(key, path);
  }

  async release(): Promise<void> {
    held.delete(this.key);
    await rm(this.path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function locked(dir: string, pid: number): LogError {
  return new LogError("ERR_LOG_LOCKED", `event log ${dir} is already open (process ${pid})`);
}
