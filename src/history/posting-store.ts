import type { Database, Statement } from "better-sqlite3";
import { ByteReader } from "./byte-buffer.js";
import { type MemKey, MemPostings } from "./mem-postings.js";
import {
  appendPostings,
  chunkEnd,
  decodeChunk,
  emptyPostings,
  encodeChunk,
  type PostingsView,
  sortPostings,
} from "./posting-chunk.js";
import { Kind, kindOf } from "./posting-keys.js";
import { ArrayRun, ChunkRun, MergeRun, type PostingRun, type StoredChunk } from "./posting-runs.js";

/** A chunk no entries are appended to any more. */
function isFull(row: { data: Buffer }): boolean {
  return new ByteReader(row.data).varint() >= CHUNK_ENTRIES || row.data.length >= CHUNK_BYTES - 32;
}

/** Entries per stored chunk: small enough to decode in a few µs, big enough to keep rows few. */
export const CHUNK_ENTRIES = 256;
/**
 * Encoded bytes per chunk: a WITHOUT ROWID row must stay under SQLite's local payload limit
 * (about 1000 bytes with 4 KiB pages), or it spills into mostly empty overflow pages.
 */
export const CHUNK_BYTES = 900;

interface ChunkRow {
  tmin: number;
  smin: number;
  tmax: number;
  data: Buffer;
}

/**
 * The inverted index of event history, an LSM in miniature on top of SQLite. New entries go to
 * an in-memory table (cheap: no random B-tree writes per event). A flush freezes that table and
 * merges each key's entries into its stored chunks, rows of up to CHUNK_ENTRIES delta-encoded
 * entries keyed by (sk, v, tmin, smin), a slice of keys at a time (`flushStep`), so no single
 * transaction stalls lookups for long; until it is done, lookups read the frozen table too (an
 * entry both there and stored is returned once). A key's chunks never overlap, so a lookup seeks
 * straight to the chunk holding its position. What is in memory is also in the `events` table
 * (written in the same transaction as the cursor), so after a crash the owner rebuilds it.
 */
export class PostingStore {
  private mem = new MemPostings();
  private frozen: MemPostings | undefined;
  private pending: MemKey[] = [];
  private readonly selectBelow: Statement<[number, number, number, number]>;
  private readonly selectNewest: Statement<[number, number]>;
  private readonly insert: Statement<[number, number, number, number, number, Buffer]>;
  private readonly remove: Statement<[number, number, number, number]>;
  private readonly selectOlder: Statement<[number, number, number]>;

  constructor(db: Database) {
    this.selectBelow = db.prepare(
      "SELECT tmin, smin, tmax, data FROM postings WHERE sk = ? AND v = ? AND (tmin, smin) < (?, ?) ORDER BY tmin DESC, smin DESC LIMIT 1",
    );
    this.selectNewest = db.prepare(
      "SELECT tmin, smin, tmax, data FROM postings WHERE sk = ? AND v = ? ORDER BY tmin DESC, smin DESC LIMIT 1",
    );
    this.insert = db.prepare(
      "INSERT OR REPLACE INTO postings(sk, v, tmin, smin, tmax, data) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.remove = db.prepare("DELETE FROM postings WHERE sk = ? AND v = ? AND tmin = ? AND smin = ?");
    this.selectOlder = db.prepare(
      "SELECT tmin, smin, tmax, data FROM postings WHERE sk = ? AND v = ? AND tmin < ? ORDER BY tmin, smin",
    );
  }

  add(sk: number, v: number, t: number, seq: number, tag: number): void {
    this.mem.add(sk, v, t, seq, tag);
  }

  /** Drops unflushed entries (after a rolled-back transaction; the owner re-adds them). */
  clearMemory(): void {
    this.mem = new MemPostings();
    this.frozen = undefined;
    this.pending = [];
  }

  /** Whether a flush has started and not finished. */
  get flushing(): boolean {
    return this.frozen !== undefined;
  }

  /** Entries of one key strictly below (belowT, belowSeq), newest first, stored and in memory. */
  run(sk: number, v: number, belowT: number, belowSeq: number): PostingRun {
    const tagged = kindOf(sk) === Kind.EventId;
    let run: PostingRun = new ChunkRun((t, s) => this.chunkBelow(sk, v, t, s, tagged), belowT, belowSeq);
    for (const table of [this.frozen, this.mem]) {
      const fresh = table?.get(sk, v, tagged);
      if (fresh) run = new MergeRun(new ArrayRun(fresh, belowT, belowSeq), run);
    }
    return run;
  }

  private chunkBelow(sk: number, v: number, t: number, s: number, tagged: boolean): StoredChunk | undefined {
    const row = this.selectBelow.get(sk, v, t, s) as ChunkRow | undefined;
    return (
      row && {
        tmin: row.tmin,
        smin: row.smin,
        decode: () => decodeChunk(row.tmin, row.smin, row.data, tagged),
      }
    );
  }

  /** Freezes the in-memory table for flushing (after any flush in progress was finished). */
  startFlush(): void {
    if (this.frozen) throw new Error("a flush is already in progress");
    this.frozen = this.mem;
    this.mem = new MemPostings(this.frozen);
    // In (sk, v) order, so the B-tree is written front to back rather than at random.
    this.pending = this.frozen.drain((k) => kindOf(k) === Kind.EventId);
  }

  /**
   * Merges up to `maxKeys` frozen keys into their stored chunks, dropping entries older than
   * `cutoff` (and reporting the seqs of events dropped that way); true when the flush is done.
   * Run inside a transaction. In steady state (events arrive in time order) this rewrites only
   * each key's newest, partly filled chunk; out-of-order entries rewrite the chunks they overlap.
   */
  flushStep(cutoff: number, maxKeys: number, onExpiredSeqs: (seqs: number[]) => void): boolean {
    const slice = this.pending.splice(0, maxKeys);
    for (const { sk, v, postings } of slice) {
      let first = 0;
      while (first < postings.ts.length && (postings.ts[first] as number) < cutoff) first++;
      if (first > 0 && kindOf(sk) === Kind.All) onExpiredSeqs(Array.from(postings.seqs).slice(0, first));
      if (first < postings.ts.length) this.mergeKey(sk, v, postings, first);
    }
    if (this.pending.length > 0) return false;
    this.frozen = undefined;
    return true;
  }

  /** Keys still to be written by the flush in progress. */
  get pendingKeys(): number {
    return this.pending.length;
  }

  /** Finishes any flush in progress, then flushes everything in memory. Run inside a transaction. */
  flushAll(cutoff: number, onExpiredSeqs: (seqs: number[]) => void): void {
    if (this.frozen) this.flushStep(cutoff, Number.POSITIVE_INFINITY, onExpiredSeqs);
    this.startFlush();
    this.flushStep(cutoff, Number.POSITIVE_INFINITY, onExpiredSeqs);
  }

  private mergeKey(sk: number, v: number, fresh: PostingsView, from: number): void {
    const tagged = kindOf(sk) === Kind.EventId;
    const oldestT = fresh.ts[from] as number;
    let row = this.selectNewest.get(sk, v) as ChunkRow | undefined;
    if (!row || (row.tmax < oldestT && isFull(row))) {
      this.writeChunks(sk, v, fresh, from);
      return;
    }
    const merged = emptyPostings(tagged);
    let rewrite = false;
    for (let newest = true; row; newest = false) {
      const overlaps = row.tmax >= oldestT;
      if (!overlaps && (!newest || isFull(row))) break;
      appendPostings(merged, decodeChunk(row.tmin, row.smin, row.data, tagged));
      // A tail that is only appended to keeps its key: the first rewritten chunk replaces it.
      if (!overlaps) break;
      this.remove.run(sk, v, row.tmin, row.smin);
      rewrite = true;
      row = this.selectBelow.get(sk, v, row.tmin, row.smin) as ChunkRow | undefined;
    }
    appendPostings(merged, fresh, from);
    if (rewrite) sortPostings(merged);
    this.writeChunks(sk, v, merged, 0);
  }

  /** Stores ascending entries as full chunks, oldest first (the newest may be partly filled). */
  private writeChunks(sk: number, v: number, p: PostingsView, from: number): void {
    while (from < p.ts.length) {
      const to = chunkEnd(p, from, CHUNK_ENTRIES, CHUNK_BYTES);
      this.insert.run(
        sk,
        v,
        p.ts[from] as number,
        p.seqs[from] as number,
        p.ts[to - 1] as number,
        encodeChunk(p, from, to),
      );
      from = to;
    }
  }

  /** Seqs of the entries of key (sk, v) older than `cutoff`, stored or not (retention: All keys). */
  expiredSeqs(sk: number, v: number, cutoff: number): number[] {
    const seqs: number[] = [];
    for (const table of [this.frozen, this.mem]) {
      const p = table?.get(sk, v, kindOf(sk) === Kind.EventId);
      for (let i = 0; p && i < p.ts.length && (p.ts[i] as number) < cutoff; i++)
        seqs.push(p.seqs[i] as number);
    }
    for (const row of this.selectOlder.iterate(sk, v, cutoff) as Iterable<ChunkRow>) {
      const chunk = decodeChunk(row.tmin, row.smin, row.data, kindOf(sk) === Kind.EventId);
      for (let i = 0; i < chunk.ts.length && (chunk.ts[i] as number) < cutoff; i++)
        seqs.push(chunk.seqs[i] as number);
    }
    return seqs;
  }

  /**
   * Retention for one key: removes its stored entries older than `cutoff` (seconds), rewriting the
   * chunk that straddles it. Run inside a transaction, after flush().
   */
  expireKey(sk: number, v: number, cutoff: number): void {
    const tagged = kindOf(sk) === Kind.EventId;
    const rows = this.selectOlder.all(sk, v, cutoff) as ChunkRow[];
    for (const row of rows) {
      const chunk = decodeChunk(row.tmin, row.smin, row.data, tagged);
      const keep = chunk.ts.findIndex((t) => t >= cutoff);
      this.remove.run(sk, v, row.tmin, row.smin);
      if (keep < 0) continue;
      const rest = emptyPostings(tagged);
      rest.ts = chunk.ts.slice(keep);
      rest.seqs = chunk.seqs.slice(keep);
      rest.tags = chunk.tags?.slice(keep);
      this.insert.run(
        sk,
        v,
        rest.ts[0] as number,
        rest.seqs[0] as number,
        row.tmax,
        encodeChunk(rest, 0, rest.ts.length),
      );
    }
  }
}
