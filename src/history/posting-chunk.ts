import { ByteReader, ByteWriter, unzigzag, zigzag } from "./byte-buffer.js";

/**
 * A run of index entries of one posting key in ascending (eventTime, seq) order, as parallel
 * arrays (typed arrays when read straight from the in-memory table). `tags` carries a hash
 * fragment of the eventID for EventId keys (whose value is only a hash partition) and is
 * undefined for every other key.
 */
export interface PostingsView {
  readonly ts: ArrayLike<number>;
  readonly seqs: ArrayLike<number>;
  readonly tags: ArrayLike<number> | undefined;
}

/** Postings being built or merged. */
export interface Postings extends PostingsView {
  ts: number[];
  seqs: number[];
  tags: number[] | undefined;
}

export function emptyPostings(tagged: boolean): Postings {
  return { ts: [], seqs: [], tags: tagged ? [] : undefined };
}

/** Sign of (t1, s1) compared with (t2, s2). */
export function compareEntry(t1: number, s1: number, t2: number, s2: number): number {
  return t1 !== t2 ? t1 - t2 : s1 - s2;
}

const writer = new ByteWriter(1 << 16);

/**
 * Encodes entries [from, to): the first entry is the chunk key (tmin, smin) and is not repeated;
 * each later one is a varint time delta (never negative) and a zigzag seq delta, plus its tag.
 */
export function encodeChunk(p: PostingsView, from: number, to: number): Buffer {
  writer.reset();
  writer.varint(to - from);
  for (let i = from; i < to; i++) {
    if (i > from) {
      writer.varint((p.ts[i] as number) - (p.ts[i - 1] as number));
      writer.varint(zigzag((p.seqs[i] as number) - (p.seqs[i - 1] as number)));
    }
    if (p.tags) writer.varint(p.tags[i] as number);
  }
  return writer.toBuffer();
}

function varintSize(n: number): number {
  let size = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** End of the chunk starting at `from`: at most `maxEntries` entries and about `maxBytes` bytes. */
export function chunkEnd(p: PostingsView, from: number, maxEntries: number, maxBytes: number): number {
  let bytes = 2;
  let i = from;
  for (; i < p.ts.length && i - from < maxEntries; i++) {
    let size = p.tags ? varintSize(p.tags[i] as number) : 0;
    if (i > from) {
      size += varintSize((p.ts[i] as number) - (p.ts[i - 1] as number));
      size += varintSize(zigzag((p.seqs[i] as number) - (p.seqs[i - 1] as number)));
    }
    if (bytes + size > maxBytes && i > from) break;
    bytes += size;
  }
  return i;
}

export function decodeChunk(tmin: number, smin: number, data: Uint8Array, tagged: boolean): Postings {
  const r = new ByteReader(data);
  const n = r.varint();
  const out = emptyPostings(tagged);
  let t = tmin;
  let s = smin;
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      t += r.varint();
      s += unzigzag(r.varint());
    }
    out.ts.push(t);
    out.seqs.push(s);
    if (out.tags) out.tags.push(r.varint());
  }
  return out;
}

/** Sorts entries ascending (into new arrays) and drops exact duplicates (same time and seq). */
export function sortPostings(p: Postings): void {
  const order = p.ts.map((_, i) => i);
  order.sort((a, b) =>
    compareEntry(p.ts[a] as number, p.seqs[a] as number, p.ts[b] as number, p.seqs[b] as number),
  );
  const ts: number[] = [];
  const seqs: number[] = [];
  const tags: number[] | undefined = p.tags ? [] : undefined;
  for (const i of order) {
    const t = p.ts[i] as number;
    const s = p.seqs[i] as number;
    const last = ts.length - 1;
    if (last >= 0 && ts[last] === t && seqs[last] === s) continue;
    ts.push(t);
    seqs.push(s);
    tags?.push(p.tags?.[i] as number);
  }
  p.ts = ts;
  p.seqs = seqs;
  p.tags = tags;
}

/** Appends `b` (from index `from`) to `a`; the caller restores order with sortPostings if needed. */
export function appendPostings(a: Postings, b: PostingsView, from = 0): void {
  for (let i = from; i < b.ts.length; i++) {
    a.ts.push(b.ts[i] as number);
    a.seqs.push(b.seqs[i] as number);
    a.tags?.push(b.tags?.[i] as number);
  }
}

/** Index of the first entry >= (t, s), by binary search over ascending entries. */
export function lowerBound(p: PostingsView, t: number, s: number): number {
  let lo = 0;
  let hi = p.ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntry(p.ts[mid] as number, p.seqs[mid] as number, t, s) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
