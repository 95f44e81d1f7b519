import { closeSync, openSync } from "node:fs";
import { payloadMatchesCrc } from "./frame.js";
import { FrameReader } from "./frame-reader.js";
import { LogError } from "./log-error.js";
import { scanSegment } from "./segment-scan.js";
import { SparseIndex } from "./sparse-index.js";
import type { LogRecord } from "./types.js";

/** What is left of one `EventLog.read` call; shared across the segments it spans. */
export interface ReadBudget {
  records: number;
  bytes: number;
  /** Set when the next record would exceed `bytes`: the read ends there. */
  full: boolean;
}

/**
 * One segment file's durable extent and sparse index. `count` and `size` only ever cover
 * fdatasync'd frames (the writer extends them after the flush), so reads bounded by them never
 * see an in-flight write, even though those bytes may already be in the file.
 */
export class Segment {
  private index: SparseIndex | undefined;
  private fd: number | undefined;
  /**
   * Byte offsets of the records where recent reads stopped (local index → offset). Consumers
   * that keep up read from exactly there after every commit; without these, each such read
   * started at the sparse index point up to INDEX_INTERVAL records back and re-read (and
   * allocated) hundreds of KB to skip them, for every consumer and every commit.
   */
  private readonly resumePoints = new Map<number, number>();

  constructor(
    readonly base: number,
    readonly path: string,
    public count: number,
    public size: number,
    /** Omitted for sealed segments found on open: they are scanned on first read, not at start-up. */
    index?: SparseIndex,
  ) {
    this.index = index;
  }

  /** The seq after this segment's last record. */
  get end(): number {
    return this.base + this.count;
  }

  /** Makes `records` frames taking `bytes`, already durable, visible to reads. */
  extend(records: number, bytes: number, offsets: readonly number[]): void {
    this.sparseIndex().extend(offsets);
    this.count += records;
    this.size += bytes;
  }

  /** Appends records from `seq` (inside this segment) to `out` until the budget or segment ends. */
  read(seq: number, out: LogRecord[], budget: ReadBudget): void {
    const wanted = seq - this.base;
    const resumed = this.resumePoints.get(wanted);
    const start =
      resumed === undefined ? this.sparseIndex().floor(wanted) : { local: wanted, offset: resumed };
    const reader = new FrameReader(this.readFd(), start.offset, this.size);
    // `next` is the byte offset of record `local` at every step.
    let next = start.offset;
    let local = start.local;
    for (; local < this.count && budget.records > 0; local++) {
      const frame = reader.next();
      if (!frame) throw this.corrupt(`record ${this.base + local} is missing (${reader.torn})`);
      if (local >= wanted) {
        if (out.length > 0 && frame.payload.length > budget.bytes) {
          budget.full = true;
          break;
        }
        if (!payloadMatchesCrc(frame.payload, frame.crc))
          throw this.corrupt(`record ${this.base + local} fails its CRC`);
        out.push({ seq: this.base + local, payload: frame.payload });
        budget.records--;
        budget.bytes -= frame.payload.length;
      }
      next = reader.position;
    }
    if (local > wanted) this.remember(local, next);
  }

  /** Records are never rewritten in place, so a remembered offset stays right; the newest 16 are kept. */
  private remember(local: number, offset: number): void {
    this.resumePoints.delete(local);
    this.resumePoints.set(local, offset);
    if (this.resumePoints.size > 16) {
      const oldest = this.resumePoints.keys().next().value;
      if (oldest !== undefined) this.resumePoints.delete(oldest);
    }
  }

  /** Closes the read descriptor; a later read reopens it. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private readFd(): number {
    this.fd ??= openSync(this.path, "r");
    return this.fd;
  }

  private sparseIndex(): SparseIndex {
    this.index ??= this.scanSealed();
    return this.index;
  }

  /** A sealed segment must hold exactly the records between its base and the next segment's. */
  private scanSealed(): SparseIndex {
    const scan = scanSegment(this.readFd(), this.size, false);
    if (scan.count !== this.count || scan.validBytes !== this.size) {
      throw this.corrupt(
        `holds ${scan.count} complete records in ${scan.validBytes} bytes, expected ${this.count}`,
      );
    }
    return new SparseIndex(scan.offsets);
  }

  private corrupt(detail: string): LogError {
    return new LogError("ERR_LOG_CORRUPT", `segment ${this.path}: ${detail}`);
  }
}
