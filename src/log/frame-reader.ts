import { readSync } from "node:fs";
import { FRAME_HEADER_BYTES, isPlausibleLength } from "./frame.js";
import { LogError } from "./log-error.js";

/** One frame as read from a segment file; `payload` is a view into a shared read buffer. */
export interface Frame {
  /** Byte offset of the frame's header in the file. */
  offset: number;
  payload: Buffer;
  crc: number;
}

/** Why reading stopped before `limit`: the bytes there cannot be a complete frame. */
export type TornReason = "short header" | "bad length" | "short payload";

const FIRST_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Reads frames from `fd` sequentially, starting at byte `from` and never past `limit`, in chunks
 * that grow while the caller keeps reading (a short read from the sparse index stays small, a
 * segment scan reads megabytes at a time). Synchronous on purpose: `EventLog.read` is.
 * CRCs are not checked here; callers decide whether to.
 */
export class FrameReader {
  /** Set when iteration stopped at bytes that are not a complete frame. */
  torn: TornReason | undefined;
  /** Offset just past the last complete frame returned. */
  position: number;
  private chunk = Buffer.alloc(0);
  private chunkStart = 0;
  private chunkSize = FIRST_CHUNK_BYTES;

  constructor(
    private readonly fd: number,
    from: number,
    private readonly limit: number,
  ) {
    this.position = from;
  }

  /** The next complete frame, or undefined at `limit` or at a torn frame (see `torn`). */
  next(): Frame | undefined {
    const offset = this.position;
    if (offset >= this.limit) return undefined;
    if (offset + FRAME_HEADER_BYTES > this.limit) return this.stop("short header");
    const header = this.view(offset, FRAME_HEADER_BYTES);
    const length = header.readUInt32LE(0);
    const crc = header.readUInt32LE(4);
    if (!isPlausibleLength(length)) return this.stop("bad length");
    const end = offset + FRAME_HEADER_BYTES + length;
    if (end > this.limit) return this.stop("short payload");
    const payload = this.view(offset + FRAME_HEADER_BYTES, length);
    this.position = end;
    return { offset, payload, crc };
  }

  private stop(reason: TornReason): undefined {
    this.torn = reason;
    return undefined;
  }

  /** `length` bytes at file offset `at`, refilling the chunk when they are not all in it. */
  private view(at: number, length: number): Buffer {
    const rel = at - this.chunkStart;
    if (rel < 0 || rel + length > this.chunk.length) this.fill(at, length);
    const start = at - this.chunkStart;
    return this.chunk.subarray(start, start + length);
  }

  /** A fresh buffer (never reused: returned payloads are views into it) starting at `at`. */
  private fill(at: number, atLeast: number): void {
    const size = Math.min(Math.max(this.chunkSize, atLeast), this.limit - at);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(this.fd, buf, got, size - got, at + got);
      if (n === 0) throw new LogError("ERR_LOG_CORRUPT", `segment file ends early, at byte ${at + got}`);
      got += n;
    }
    this.chunk = buf;
    this.chunkStart = at;
    this.chunkSize = Math.min(this.chunkSize * 2, MAX_CHUNK_BYTES);
  }
}
