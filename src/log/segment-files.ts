import { constants } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Segment files are named after the seq of their first record, zero-padded so that name order
 * is seq order: `<dir>/segments/00000000000000000000.seg`.
 */
const NAME = /^(\d{20})\.seg$/;

export function segmentFileName(base: number): string {
  return `${String(base).padStart(20, "0")}.seg`;
}

export interface SegmentFile {
  base: number;
  path: string;
}

/** Every segment file in `dir`, oldest first; other files are ignored. */
export async function listSegmentFiles(dir: string): Promise<SegmentFile[]> {
  const found: SegmentFile[] = [];
  for (const name of await readdir(dir)) {
    const match = NAME.exec(name);
    if (match?.[1] !== undefined) found.push({ base: Number(match[1]), path: join(dir, name) });
  }
  return found.sort((a, b) => a.base - b.base);
}

/** fsync a directory so that entries created, renamed or removed in it survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Open flags for a segment file the writer appends to. With fsync, O_DSYNC makes each write
 * return only once its data (and the size that reaches it) is durable, as write + fdatasync
 * would, in one thread-pool trip instead of two: each trip costs the event loop a thread wake-up
 * and a completion.
 */
export function segmentFlags(create: boolean, fsync: boolean): number {
  const { O_RDWR, O_CREAT, O_EXCL, O_DSYNC } = constants;
  return O_RDWR | (create ? O_CREAT | O_EXCL : 0) | (fsync ? O_DSYNC : 0);
}
