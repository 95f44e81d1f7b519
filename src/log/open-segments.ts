import { type FileHandle, open, stat } from "node:fs/promises";
import { join } from "node:path";
import { Segment } from "./segment.js";
import { listSegmentFiles, segmentFileName, segmentFlags, syncDir } from "./segment-files.js";
import { scanSegment } from "./segment-scan.js";
import { SparseIndex } from "./sparse-index.js";
import type { LogLogger } from "./types.js";

export interface OpenedSegments {
  segments: Segment[];
  /** Read-write handle on the last (active) segment. */
  active: FileHandle;
}

/**
 * Loads the segment list and recovers the active segment. Only the last segment can have a
 * torn tail: the writer makes a segment durable before it creates the next one. Earlier segments
 * are taken as sealed (their record count is the gap to the next base) and scanned lazily on
 * first read, so opening a large log costs one segment scan, not one per segment.
 */
export async function openSegments(dir: string, fsync: boolean, logger: LogLogger): Promise<OpenedSegments> {
  const files = await listSegmentFiles(dir);
  const last = files.at(-1);
  if (!last) return createFirst(dir, fsync);
  const segments: Segment[] = [];
  for (const [i, file] of files.entries()) {
    const next = files[i + 1];
    if (next)
      segments.push(new Segment(file.base, file.path, next.base - file.base, (await stat(file.path)).size));
  }
  const active = await open(last.path, segmentFlags(false, fsync));
  try {
    segments.push(await recoverTail(active, last.base, last.path, fsync, logger));
  } catch (err) {
    await active.close();
    throw err;
  }
  return { segments, active };
}

async function createFirst(dir: string, fsync: boolean): Promise<OpenedSegments> {
  const path = join(dir, segmentFileName(0));
  const active = await open(path, segmentFlags(true, fsync));
  if (fsync) await syncDir(dir);
  return { segments: [new Segment(0, path, 0, 0, new SparseIndex())], active };
}

/**
 * Scans the active segment with CRCs and cuts everything from the first bad frame on: a short
 * header, a short payload, an impossible length or a CRC mismatch is where a write was torn by
 * a crash. Those records were never acknowledged (acks wait for fdatasync), so nothing
 * acknowledged is lost, unless the disk itself lost fdatasync'd bytes.
 */
async function recoverTail(
  handle: FileHandle,
  base: number,
  path: string,
  fsync: boolean,
  logger: LogLogger,
): Promise<Segment> {
  const { size } = await handle.stat();
  const scan = scanSegment(handle.fd, size, true);
  if (scan.validBytes < size) {
    logger.warn("event log: truncating torn tail of the active segment", {
      segment: path,
      reason: scan.problem ?? "trailing bytes",
      keptRecords: scan.count,
      keptBytes: scan.validBytes,
      truncatedBytes: size - scan.validBytes,
      nextSeq: base + scan.count,
    });
    await handle.truncate(scan.validBytes);
    if (fsync) await handle.datasync();
  }
  return new Segment(base, path, scan.count, scan.validBytes, new SparseIndex(scan.offsets));
}
