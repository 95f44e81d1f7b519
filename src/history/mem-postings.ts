import { appendPostings, emptyPostings, type PostingsView, sortPostings } from "./posting-chunk.js";

/** One key's unflushed entries, ascending, as drain() hands them out. */
export interface MemKey {
  sk: number;
  v: number;
  postings: PostingsView;
}

// Key slot layout (one Float64Array, 8 numbers = one 64-byte cache line per key).
const K_SK = 0;
const K_V = 1;
const K_HEAD = 2;
const K_TAIL = 3;
const K_COUNT = 4;
const K_ORDERED = 5;
const K_LAST_T = 6;
const K_LAST_SEQ = 7;
const K_STRIDE = 8;
// Entry layout (one Float64Array, 5 numbers per entry).
const E_T = 0;
const E_SEQ = 1;
const E_TAG = 2;
const E_NEXT = 3;
const E_SLOT = 4;
const E_STRIDE = 5;

/**
 * The unflushed part of the index: entries grouped by posting key (sk, v) in flat typed arrays,
 * so adding an entry allocates nothing: an open-addressing table of keys, each with a linked
 * list of its entries (in arrival order). Hot path: about ten adds per indexed event.
 */
export class MemPostings {
  private slots: number;
  private keys: Float64Array;
  private used = 0;
  private capacity: number;
  private ent: Float64Array;
  private entries = 0;
  /** Sorted copies handed to lookups, valid while the key's count is unchanged. */
  private views = new Map<number, { count: number; postings: PostingsView }>();

  /** Starts with room for `like`'s keys and entries (the previous table), to skip regrowing. */
  constructor(like?: MemPostings) {
    this.slots = like?.slots ?? 1 << 12;
    this.capacity = like?.capacity ?? 1 << 14;
    this.keys = new Float64Array(this.slots * K_STRIDE).fill(-1);
    this.ent = new Float64Array(this.capacity * E_STRIDE);
  }

  get size(): number {
    return this.entries;
  }

  /** Offset of the key's slot in `keys` (an empty slot if the key is absent). */
  private slotOf(sk: number, v: number): number {
    const mask = this.slots - 1;
    let i = (Math.imul(sk, 0x9e3779b1) ^ (v | 0) ^ Math.floor(v / 4294967296)) & mask;
    for (;;) {
      const at = i * K_STRIDE;
      const k = this.keys[at + K_SK] as number;
      if (k === -1 || (k === sk && this.keys[at + K_V] === v)) return at;
      i = (i + 1) & mask;
    }
  }

  add(sk: number, v: number, t: number, seq: number, tag: number): void {
    if (this.entries === this.capacity) this.growEntries();
    if (this.used * 2 >= this.slots) this.rehash();
    const keys = this.keys;
    const ent = this.ent;
    const e = this.entries++;
    const at = this.slotOf(sk, v);
    const base = e * E_STRIDE;
    ent[base + E_T] = t;
    ent[base + E_SEQ] = seq;
    ent[base + E_TAG] = tag;
    ent[base + E_NEXT] = -1;
    ent[base + E_SLOT] = at;
    if (keys[at + K_SK] === -1) {
      keys[at + K_SK] = sk;
      keys[at + K_V] = v;
      keys[at + K_HEAD] = e;
      keys[at + K_COUNT] = 0;
      keys[at + K_ORDERED] = 1;
      this.used++;
    } else {
      ent[(keys[at + K_TAIL] as number) * E_STRIDE + E_NEXT] = e;
      const lt = keys[at + K_LAST_T] as number;
      if (t < lt || (t === lt && seq <= (keys[at + K_LAST_SEQ] as number))) keys[at + K_ORDERED] = 0;
    }
    keys[at + K_LAST_T] = t;
    keys[at + K_LAST_SEQ] = seq;
    keys[at + K_TAIL] = e;
    keys[at + K_COUNT] = (keys[at + K_COUNT] as number) + 1;
  }

  /** The entries of one key, ascending, or undefined if it has none. */
  get(sk: number, v: number, tagged: boolean): PostingsView | undefined {
    const at = this.slotOf(sk, v);
    if (this.keys[at + K_SK] === -1) return undefined;
    const count = this.keys[at + K_COUNT] as number;
    const cached = this.views.get(at);
    if (cached && cached.count === count) return cached.postings;
    const p = emptyPostings(tagged);
    for (let e = this.keys[at + K_HEAD] as number; e !== -1; e = this.ent[e * E_STRIDE + E_NEXT] as number) {
      p.ts.push(this.ent[e * E_STRIDE + E_T] as number);
      p.seqs.push(this.ent[e * E_STRIDE + E_SEQ] as number);
      p.tags?.push(this.ent[e * E_STRIDE + E_TAG] as number);
    }
    if (this.keys[at + K_ORDERED] === 0) sortPostings(p);
    this.views.set(at, { count, postings: p });
    return p;
  }

  /**
   * Every key with its entries, ascending, in (sk, v) order. Entries are regrouped by a counting
   * sort into contiguous typed arrays (one sequential pass, no per-key allocation). The table
   * stays readable (get) but must not be added to any more.
   */
  drain(isTagged: (sk: number) => boolean): MemKey[] {
    const keys = this.keys;
    const occupied: number[] = [];
    for (let at = 0; at < keys.length; at += K_STRIDE) if (keys[at + K_SK] !== -1) occupied.push(at);
    occupied.sort(
      (a, b) =>
        (keys[a] as number) - (keys[b] as number) || (keys[a + K_V] as number) - (keys[b + K_V] as number),
    );
    const start = new Map<number, number>();
    const next = new Int32Array(keys.length / K_STRIDE);
    let offset = 0;
    for (const at of occupied) {
      start.set(at, offset);
      next[at / K_STRIDE] = offset;
      offset += keys[at + K_COUNT] as number;
    }
    const ts = new Float64Array(this.entries);
    const seqs = new Float64Array(this.entries);
    const tags = new Int32Array(this.entries);
    for (let e = 0; e < this.entries; e++) {
      const base = e * E_STRIDE;
      const slot = (this.ent[base + E_SLOT] as number) / K_STRIDE;
      const to = next[slot] as number;
      next[slot] = to + 1;
      ts[to] = this.ent[base + E_T] as number;
      seqs[to] = this.ent[base + E_SEQ] as number;
      tags[to] = this.ent[base + E_TAG] as number;
    }
    return occupied.map((at): MemKey => {
      const sk = keys[at + K_SK] as number;
      const from = start.get(at) as number;
      const to = from + (keys[at + K_COUNT] as number);
      const tagged = isTagged(sk);
      let postings: PostingsView = {
        ts: ts.subarray(from, to),
        seqs: seqs.subarray(from, to),
        tags: tagged ? tags.subarray(from, to) : undefined,
      };
      if (keys[at + K_ORDERED] === 0) {
        const sorted = emptyPostings(tagged);
        appendPostings(sorted, postings);
        sortPostings(sorted);
        postings = sorted;
      }
      return { sk, v: keys[at + K_V] as number, postings };
    });
  }

  private growEntries(): void {
    this.capacity *= 2;
    const ent = new Float64Array(this.capacity * E_STRIDE);
    ent.set(this.ent);
    this.ent = ent;
  }

  private rehash(): void {
    const old = this.keys;
    this.slots *= 2;
    this.keys = new Float64Array(this.slots * K_STRIDE).fill(-1);
    this.views = new Map();
    const moved = new Map<number, number>();
    for (let at = 0; at < old.length; at += K_STRIDE) {
      if (old[at + K_SK] === -1) continue;
      const to = this.slotOf(old[at + K_SK] as number, old[at + K_V] as number);
      this.keys.set(old.subarray(at, at + K_STRIDE), to);
      moved.set(at, to);
    }
    for (let e = 0; e < this.entries; e++) {
      const base = e * E_STRIDE + E_SLOT;
      this.ent[base] = moved.get(this.ent[base] as number) as number;
    }
  }
}
