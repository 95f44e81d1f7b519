import { readFileSync } from "node:fs";
import { open, readdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { LogError } from "./log-error.js";
import { syncDir } from "./segment-files.js";
import type { CursorStore } from "./types.js";

const TEMP_SUFFIX = ".tmp";

/** Consumer names double as file names, so they are kept to a portable, unambiguous set. */
const CONSUMER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function validateConsumerName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !CONSUMER_NAME.test(name) || name.endsWith(TEMP_SUFFIX)) {
    throw new RangeError(`invalid consumer name ${JSON.stringify(name)}: use letters, digits, '_', '.', '-'`);
  }
}

/**
 * The default CursorStore: one small file, `<dir>/cursors/<name>`, holding the next seq in
 * decimal. Saves are atomic and durable (write temp, fsync, rename, fsync dir), so after a crash
 * the file holds either the old or the new position, never a torn one.
 */
export class FileCursorStore implements CursorStore {
  constructor(
    readonly path: string,
    private readonly fsync = true,
  ) {}

  load(): number {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw err;
    }
    const next = parsePosition(text);
    if (next === undefined)
      throw new LogError("ERR_CURSOR_CORRUPT", `cursor file ${this.path} holds ${JSON.stringify(text)}`);
    return next;
  }

  async save(next: number): Promise<void> {
    const temp = this.path + TEMP_SUFFIX;
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(`${next}\n`);
      if (this.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    if (this.fsync) await syncDir(dirname(this.path));
  }
}

/**
 * Every position recorded in `dir`, by consumer name. A file that does not parse counts as 0,
 * which holds back all retention rather than risk deleting what that consumer still needs.
 */
export async function readCursorFiles(dir: string): Promise<Map<string, number>> {
  const positions = new Map<string, number>();
  for (const name of await readdir(dir)) {
    if (name.endsWith(TEMP_SUFFIX)) continue;
    let text = "";
    try {
      text = await readFile(join(dir, name), "utf8");
    } catch {
      // Unreadable counts as 0 below, like unparsable.
    }
    positions.set(name, parsePosition(text) ?? 0);
  }
  return positions;
}

/** Deletes leftovers of saves interrupted by a crash; the cursor files themselves are intact. */
export async function removeTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.endsWith(TEMP_SUFFIX)) await rm(join(dir, name), { force: true });
  }
}

function parsePosition(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d{1,16}$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : undefined;
}
