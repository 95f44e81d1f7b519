import { type FileHandle, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { FRAME_HEADER_BYTES, type Payload } from "./frame.js";
import { FrameArena, pushPiece } from "./frame-arena.js";
import { LogError } from "./log-error.js";
import { Segment } from "./segment.js";
import { segmentFileName, segmentFlags, syncDir } from "./segment-files.js";
import { INDEX_INTERVAL, SparseIndex } from "./sparse-index.js";
import type { LogLogger, LogStats } from "./types.js";

/**
 * Appends waiting for the next flush, already framed: one append, one appendBatch, or the
 * grouped appends (enqueueGrouped) made while a flush was in flight.
 */
interface Pending {
  /** The framed records; a grouped entry's view is widened to `bytes` only when it is taken. */
  frames: Buffer;
  bytes: number;
  /** Payload length of each record in `frames`, in order. */
  lengths: number[];
  /** Assigned when a flush plans it. */
  firstSeq: number;
  resolve(firstSeq: number): void;
  reject(err: unknown): void;
  /** Set on a grouped entry: the promise every append in it was given. */
  promise?: Promise<number>;
}

/** The part of one flush that goes into one segment file. */
interface Chunk {
  /** The existing active segment, or undefined when this chunk starts a new segment. */
  segment: Segment | undefined;
  base: number;
  startSize: number;
  startCount: number;
  pieces: Buffer[];
  records: number;
  bytes: number;
  offsets: number[];
  handle?: FileHandle;
}

export interface GroupCommitOptions {
  segmentsDir: string;
  /** Shared with EventLog; the last one is the active segment. Retention only removes from the front. */
  segments: Segment[];
  segmentBytes: number;
  fsync: boolean;
  stats: LogStats;
  logger: LogLogger;
  /** Called after each flush made records visible and its appends were resolved. */
  onCommit(): void;
}

/** A flush stops taking queued appends past this many bytes, bounding its buffer and latency. */
const MAX_FLUSH_BYTES = 8 * 1024 * 1024;
/** A grouped entry takes no more appends past this many bytes, so that it never outgrows a flush. */
const MAX_GROUPED_BYTES = 1024 * 1024;
/**
 * Flushes in the air at once. With one, every appender that waited on a flush resumes together,
 * makes its next records, and then idles through the next sync with everyone else: the event
 * loop and the disk took turns. A second flush lets one group's records be made (and written)
 * while the other group's are synced.
 */
const MAX_IN_FLIGHT = 2;
/**
 * Queued bytes that start a flush at once (in a free slot) rather than at the end of the tick
 * or when the flush in flight is over. Each flush costs a thread-pool trip and a sync's kernel
 * time (a few hundred µs of CPU here), so small appends wait to share one: a second flush for a
 * few records made an API call's append dearer and the log slower.
 */
const EAGER_FLUSH_BYTES = 256 * 1024;

/** One flush on its way to disk: its appends, where its frames go, and how its I/O ended. */
interface Flight {
  entries: Pending[];
  chunks: Chunk[];
  /** Resolves (never rejects) once its writes are durable or failed: undefined, or the error. */
  io: Promise<unknown>;
  /** Starts a new segment: nothing else is in flight with it. */
  rolls: boolean;
}

/**
 * Group commit: appends queue while flushes are in flight; a flush writes every queued frame
 * with one durable (O_DSYNC, see segmentFlags) write per segment, then resolves them all. Up to
 * MAX_IN_FLIGHT flushes run at once and they complete in order: a flush is acknowledged only
 * after every earlier one (its sync covers only its own write, so an earlier failure would leave
 * a hole before it). Seqs are assigned when a flush starts, so
 * a failed flush leaves no gap. A flush is all or nothing: if any write or sync fails, once the
 * flushes in flight are over every file they touched is put back to its last durable length (new
 * segments removed), and they are all rejected, before the next flush starts; a reader or
 * recovery never sees a frame whose append was rejected. A flush that starts a segment flies alone.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private readonly arena = new FrameArena();
  private readonly inFlight: Flight[] = [];
  /** The active segment's size and record count once the flushes in flight are durable. */
  private tailSize = 0;
  private tailCount = 0;
  /** The in-order completion of the flushes started so far. */
  private settled: Promise<void> = Promise.resolve();
  /** Set by the first failed flush while the flushes in flight with it are wound up. */
  private failure: unknown;
  private closed = false;
  private broken: LogError | undefined;

  constructor(
    private readonly opts: GroupCommitOptions,
    private handle: FileHandle,
  ) {}

  /** Queues framed records; resolves with the first one's seq once all are durable. */
  enqueue(payloads: readonly Payload[]): Promise<number> {
    if (this.closed) return Promise.reject(new LogError("ERR_LOG_CLOSED", "the event log is closed"));
    if (this.broken) return Promise.reject(this.broken);
    // Framing here, not at flush time, captures the payload as it is now: the caller may reuse it.
    const lengths: number[] = [];
    const frames = this.arena.frame(payloads, lengths);
    return new Promise((resolve, reject) =>
      this.push({ frames, bytes: frames.length, lengths, firstSeq: -1, resolve, reject }),
    );
  }

  /**
   * Queues one framed record whose caller needs no seq: while the last queued entry is such a
   * group, the record joins it, so that the many single appends made while flushes are in flight
   * cost one queue entry and one promise instead of one each. Resolves once the group is durable.
   */
  enqueueGrouped(payload: Payload): Promise<unknown> {
    if (this.closed) return Promise.reject(new LogError("ERR_LOG_CLOSED", "the event log is closed"));
    if (this.broken) return Promise.reject(this.broken);
    const last = this.queue[this.queue.length - 1];
    if (last?.promise && last.bytes < MAX_GROUPED_BYTES) {
      const bytes = this.arena.extend(last.frames, last.bytes, payload, last.lengths);
      if (bytes > 0) {
        this.queuedBytes += bytes - last.bytes;
        last.bytes = bytes;
        this.schedule();
        return last.promise;
      }
    }
    const lengths: number[] = [];
    const frames = this.arena.frame([payload], lengths);
    const entry = { frames, bytes: frames.length, lengths, firstSeq: -1 } as Pending;
    entry.promise = new Promise((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    this.push(entry);
    return entry.promise;
  }

  private push(entry: Pending): void {
    this.queue.push(entry);
    this.queuedBytes += entry.bytes;
    this.schedule();
  }

  /**
   * Starts a flush now if enough is queued; else, with nothing in flight, a microtask later, so
   * that every append made in the same tick joins it; else when the flush in flight is over.
   */
  private schedule(): void {
    if (this.queuedBytes >= EAGER_FLUSH_BYTES) this.pump();
    else if (this.inFlight.length === 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  /** Refuses new appends, waits for queued ones, and closes the active file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.inFlight.length > 0) await this.settled;
    await this.handle.close();
  }

  /** Starts flushes of the queued appends while a slot is free. */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight.length < MAX_IN_FLIGHT && this.failure === undefined) {
      if (this.broken) {
        for (const e of this.queue.splice(0)) e.reject(this.broken);
        this.queuedBytes = 0;
        return;
      }
      const flying = this.inFlight.length > 0;
      if (flying && (this.inFlight[0]?.rolls || this.queuedBytes < EAGER_FLUSH_BYTES)) return;
      if (!flying) {
        const active = this.active();
        this.tailSize = active.size;
        this.tailCount = active.count;
      }
      const entries = this.take(flying ? this.opts.segmentBytes - this.tailSize : Number.POSITIVE_INFINITY);
      if (entries.length === 0) return; // waits for the flights in the air: it starts a segment
      const chunks = this.plan(entries);
      const rolls = chunks.some((c) => !c.segment);
      const last = chunks.at(-1) as Chunk;
      this.tailSize = last.startSize + last.bytes;
      this.tailCount = last.startCount + last.records;
      const flight: Flight = { entries, chunks, rolls, io: this.io(chunks) };
      this.inFlight.push(flight);
      this.settled = this.settled.then(() => this.complete(flight));
    }
  }

  /**
   * Takes the queued entries of the next flush: up to MAX_FLUSH_BYTES, and, while another flush
   * is in flight, only while they fit in `room` (the active segment's space left after it).
   */
  private take(room: number): Pending[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && bytes < MAX_FLUSH_BYTES) {
      const next = bytes + (this.queue[n]?.bytes ?? 0);
      if (next > room) break;
      bytes = next;
      n++;
    }
    const entries = this.queue.splice(0, n);
    this.queuedBytes -= bytes;
    for (const e of entries)
      if (e.frames.length !== e.bytes) e.frames = Buffer.from(e.frames.buffer, e.frames.byteOffset, e.bytes);
    return entries;
  }

  private async io(chunks: Chunk[]): Promise<unknown> {
    try {
      for (const chunk of chunks) await this.write(chunk);
      return undefined;
    } catch (err) {
      return err ?? new Error("write failed");
    }
  }

  /** Acknowledges or rejects one flush, in start order, then starts what its slot now allows. */
  private async complete(flight: Flight): Promise<void> {
    const err = await flight.io;
    if (err !== undefined && this.failure === undefined) {
      // The first failure: flushes started after this one wrote past it, so once their I/O is
      // over the files go back to where this one started, and they all fail with it.
      this.failure = err;
      await Promise.all(this.inFlight.map((f) => f.io));
      await this.rollback(flight.chunks);
    }
    const failure = this.failure ?? this.broken;
    try {
      if (failure !== undefined) throw failure;
      await this.commit(flight.chunks);
      for (const e of flight.entries) e.resolve(e.firstSeq);
      // After the callers: woken consumers apply their batch synchronously (history's SQLite
      // insert), which must not run ahead of the answers the callers are waiting to send.
      this.opts.onCommit();
    } catch (err) {
      for (const e of flight.entries) e.reject(err);
    }
    // Every write of this flush has completed: its frames' memory may be framed into again.
    for (const e of flight.entries) this.arena.release(e.frames);
    this.inFlight.shift();
    if (this.inFlight.length === 0) this.failure = undefined;
    this.pump();
  }

  /** Splits the queued frames into per-segment chunks, rolling before a frame would overflow one. */
  private plan(entries: Pending[]): Chunk[] {
    const active = this.active();
    let chunk = newChunk(active.base, active, this.tailSize, this.tailCount);
    const chunks = [chunk];
    for (const entry of entries) {
      entry.firstSeq = chunk.base + chunk.startCount + chunk.records;
      let pieceStart = 0;
      let at = 0;
      for (const length of entry.lengths) {
        const frame = FRAME_HEADER_BYTES + length;
        const fill = chunk.startSize + chunk.bytes;
        if (fill > 0 && fill + frame > this.opts.segmentBytes) {
          if (at > pieceStart) pushPiece(chunk.pieces, entry.frames.subarray(pieceStart, at));
          pieceStart = at;
          chunk = newChunk(chunk.base + chunk.startCount + chunk.records, undefined, 0, 0);
          chunks.push(chunk);
        }
        if ((chunk.startCount + chunk.records) % INDEX_INTERVAL === 0)
          chunk.offsets.push(chunk.startSize + chunk.bytes);
        chunk.records++;
        chunk.bytes += frame;
        at += frame;
      }
      if (at > pieceStart) pushPiece(chunk.pieces, entry.frames.subarray(pieceStart, at));
    }
    return chunks.filter((c) => c.records > 0);
  }

  private async write(chunk: Chunk): Promise<void> {
    if (chunk.segment) {
      chunk.handle = this.handle;
    } else {
      chunk.handle = await open(this.pathOf(chunk.base), segmentFlags(true, this.opts.fsync));
      // The new file's directory entry must be durable before any record in it is acknowledged.
      if (this.opts.fsync) await syncDir(this.opts.segmentsDir);
    }
    // With fsync the file is O_DSYNC (segmentFlags): the write returns once durable.
    await writeFully(chunk.handle, chunk.pieces, chunk.startSize);
    if (this.opts.fsync) this.opts.stats.fsyncs++;
  }

  /**
   * Removes the segments this flush created (newest first), then truncates the one it extended.
   * In that order, a crash part-way never leaves a segment whose records end before the next
   * segment's base. If the rollback itself fails the log stops taking appends: reopening it
   * recovers the tail by scanning.
   */
  private async rollback(chunks: Chunk[]): Promise<void> {
    try {
      const created = chunks.filter((c) => !c.segment && c.handle).reverse();
      for (const c of created) {
        await c.handle?.close();
        await rm(this.pathOf(c.base), { force: true });
      }
      if (created.length > 0 && this.opts.fsync) await syncDir(this.opts.segmentsDir);
      const first = chunks[0];
      if (first?.segment) {
        await this.handle.truncate(first.startSize);
        if (this.opts.fsync) await this.handle.datasync();
      }
    } catch (err) {
      this.broken = new LogError("ERR_LOG_BROKEN", "a failed append could not be rolled back", {
        cause: err,
      });
      this.opts.logger.warn("event log: rollback after a failed append failed; appends are refused", {
        error: String(err),
      });
    }
  }

  /** Makes the flushed records visible: extends segments (readers are woken by flushLoop). */
  private async commit(chunks: Chunk[]): Promise<void> {
    const sealed: FileHandle[] = [];
    for (const chunk of chunks) {
      let segment = chunk.segment;
      if (!segment) {
        segment = new Segment(chunk.base, this.pathOf(chunk.base), 0, 0, new SparseIndex());
        this.opts.segments.push(segment);
        sealed.push(this.handle);
        this.handle = chunk.handle as FileHandle;
      }
      segment.extend(chunk.records, chunk.bytes, chunk.offsets);
      this.opts.stats.appends += chunk.records;
      this.opts.stats.bytes += chunk.bytes;
    }
    this.opts.stats.flushes++;
    for (const h of sealed)
      await h.close().catch((err) => this.opts.logger.warn("event log: close failed", { err }));
  }

  private active(): Segment {
    const last = this.opts.segments.at(-1);
    if (!last) throw new Error("event log has no active segment");
    return last;
  }

  private pathOf(base: number): string {
    return join(this.opts.segmentsDir, segmentFileName(base));
  }
}

function newChunk(base: number, segment: Segment | undefined, startSize: number, startCount: number): Chunk {
  return { segment, base, startSize, startCount, pieces: [], records: 0, bytes: 0, offsets: [] };
}

/**
 * pwrite(v) until done: a write to a regular file may still be short (e.g. at RLIMIT_FSIZE).
 * Pieces (frames from two arena blocks) go out with one writev rather than a gathering copy.
 */
async function writeFully(handle: FileHandle, pieces: Buffer[], position: number): Promise<void> {
  let buf = pieces[0] ?? Buffer.alloc(0);
  if (pieces.length > 1) {
    const { bytesWritten } = await handle.writev(pieces, position);
    let total = 0;
    for (const p of pieces) total += p.length;
    if (bytesWritten === total) return;
    if (bytesWritten === 0) throw new Error("write made no progress");
    buf = Buffer.concat(pieces).subarray(bytesWritten);
    position += bytesWritten;
  }
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await handle.write(buf, done, buf.length - done, position + done);
    if (bytesWritten === 0) throw new Error("write made no progress");
    done += bytesWritten;
  }
}
