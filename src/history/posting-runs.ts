import { compareEntry, lowerBound, type PostingsView } from "./posting-chunk.js";

/**
 * A cursor over index entries in descending (eventTime, seq) order: newest first, as LookupEvents
 * returns events. `t`/`seq`/`tag` describe the current entry while `done` is false.
 */
export interface PostingRun {
  done: boolean;
  t: number;
  seq: number;
  tag: number;
  next(): void;
  /** Skips forward (towards older entries) to the first entry <= (t, seq). */
  seek(t: number, seq: number): void;
}

/** Entries of an ascending Postings array strictly below the exclusive bound (t, seq). */
export class ArrayRun implements PostingRun {
  done = false;
  t = 0;
  seq = 0;
  tag = 0;
  private i: number;

  constructor(
    private readonly p: PostingsView,
    belowT: number,
    belowSeq: number,
  ) {
    this.i = lowerBound(p, belowT, belowSeq) - 1;
    this.load();
  }

  private load(): void {
    if (this.i < 0) {
      this.done = true;
      return;
    }
    this.t = this.p.ts[this.i] as number;
    this.seq = this.p.seqs[this.i] as number;
    this.tag = this.p.tags?.[this.i] ?? 0;
  }

  next(): void {
    this.i--;
    this.load();
  }

  seek(t: number, seq: number): void {
    if (this.done || compareEntry(this.t, this.seq, t, seq) <= 0) return;
    this.i = Math.min(this.i, lowerBound(this.p, t, seq + 1) - 1);
    this.load();
  }
}

/** A chunk as stored: its first (smallest) entry and a decoder for all of it. */
export interface StoredChunk {
  tmin: number;
  smin: number;
  decode(): PostingsView;
}

/** Loads the newest stored chunk whose first entry is strictly below (t, seq). */
export type ChunkSource = (t: number, seq: number) => StoredChunk | undefined;

/** Entries of a key's stored chunks (disjoint and ordered), fetching one chunk at a time. */
export class ChunkRun implements PostingRun {
  done = false;
  t = 0;
  seq = 0;
  tag = 0;
  private chunk: StoredChunk | undefined;
  private run: ArrayRun | undefined;

  constructor(
    private readonly source: ChunkSource,
    belowT: number,
    belowSeq: number,
  ) {
    this.open(belowT, belowSeq);
  }

  /** Positions on the entries strictly below (t, seq), starting from the chunk that holds them. */
  private open(t: number, seq: number): void {
    this.chunk = this.source(t, seq);
    this.run = this.chunk ? new ArrayRun(this.chunk.decode(), t, seq) : undefined;
    this.settle();
  }

  private settle(): void {
    while (this.run?.done && this.chunk) {
      this.chunk = this.source(this.chunk.tmin, this.chunk.smin);
      this.run = this.chunk ? new ArrayRun(this.chunk.decode(), Number.POSITIVE_INFINITY, 0) : undefined;
    }
    if (!this.run || this.run.done) {
      this.done = true;
      return;
    }
    this.t = this.run.t;
    this.seq = this.run.seq;
    this.tag = this.run.tag;
  }

  next(): void {
    this.run?.next();
    this.settle();
  }

  seek(t: number, seq: number): void {
    if (this.done || compareEntry(this.t, this.seq, t, seq) <= 0) return;
    if (this.chunk && compareEntry(this.chunk.tmin, this.chunk.smin, t, seq) <= 0) {
      this.run?.seek(t, seq);
      this.settle();
    } else {
      this.open(t, seq + 1);
    }
  }
}

/** The union of two runs, each entry once. */
export class MergeRun implements PostingRun {
  done = false;
  t = 0;
  seq = 0;
  tag = 0;

  constructor(
    private readonly a: PostingRun,
    private readonly b: PostingRun,
  ) {
    this.pick();
  }

  private pick(): void {
    const { a, b } = this;
    if (!a.done && !b.done && a.t === b.t && a.seq === b.seq) b.next();
    const top = a.done ? b : b.done ? a : compareEntry(a.t, a.seq, b.t, b.seq) >= 0 ? a : b;
    this.done = top.done;
    this.t = top.t;
    this.seq = top.seq;
    this.tag = top.tag;
  }

  next(): void {
    if (!this.a.done && this.a.t === this.t && this.a.seq === this.seq) this.a.next();
    else this.b.next();
    this.pick();
  }

  seek(t: number, seq: number): void {
    this.a.seek(t, seq);
    this.b.seek(t, seq);
    this.pick();
  }
}

/** Entries present in every run (AND of lookup attributes), by leapfrogging. */
export class IntersectRun implements PostingRun {
  done = false;
  t = 0;
  seq = 0;
  tag = 0;

  constructor(private readonly runs: PostingRun[]) {
    this.align();
  }

  private align(): void {
    for (;;) {
      if (this.runs.some((r) => r.done)) {
        this.done = true;
        return;
      }
      let lowest = this.runs[0] as PostingRun;
      for (const r of this.runs) if (compareEntry(r.t, r.seq, lowest.t, lowest.seq) < 0) lowest = r;
      const { t, seq } = lowest;
      let agreed = true;
      for (const r of this.runs) {
        r.seek(t, seq);
        if (r.done || r.t !== t || r.seq !== seq) agreed = false;
      }
      if (agreed) {
        this.t = t;
        this.seq = seq;
        return;
      }
    }
  }

  next(): void {
    for (const r of this.runs) r.next();
    this.align();
  }

  seek(t: number, seq: number): void {
    for (const r of this.runs) r.seek(t, seq);
    this.align();
  }
}

/** The entries of a run whose tag equals `tag` (EventId partitions: skip other eventIDs). */
export class TagFilterRun implements PostingRun {
  done = false;
  t = 0;
  seq = 0;
  tag = 0;

  constructor(
    private readonly run: PostingRun,
    private readonly wanted: number,
  ) {
    this.settle();
  }

  private settle(): void {
    while (!this.run.done && this.run.tag !== this.wanted) this.run.next();
    this.done = this.run.done;
    this.t = this.run.t;
    this.seq = this.run.seq;
    this.tag = this.run.tag;
  }

  next(): void {
    this.run.next();
    this.settle();
  }

  seek(t: number, seq: number): void {
    this.run.seek(t, seq);
    this.settle();
  }
}
