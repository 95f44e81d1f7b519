import {
  appendPostings,
  emptyPostings,
  type Postings,
  type PostingsView,
  sortPostings,
} from "./posting-chunk.js";

/** One key's unflushed entries, ascending, as drain() hands them out. */
export interface MemKey {
  sk: number;
  v: number;
  postings: PostingsView;
}

/**
 * The unflushed part of the index: entries grouped by posting key (sk, v) in flat typed arrays,
 * so adding an entry allocates nothing: an open-addressing table of keys, each with a linked
 * list of its entries (in arrival order). One typed array per field (struct of arrays): each
 * access is a plain typed load or store. Hot path: about eight adds per indexed event.
 */
export class MemPostings {
  private slots: number;
  private keys: KeyArrays;
  private used = 0;
  private capacity: number;
  private entT: Float64Array;
  private entSeq: Float64Array;
  private entTag: Int32Array;
  private entNext: Int32Array;
  private entSlot: Int32Array;
  private entries = 0;
  /**
   * Sorted copies handed to lookups. While a key's entries arrive in order, its copy is extended
   * with the entries added since (from `last`, the entry it ended at) instead of rebuilt: a busy
   * key (every event of a scope) would otherwise be copied whole by every lookup between adds.
   */
  private views = new Map<number, { count: number; last: number; postings: Postings }>();

  /** Starts with room for `like`'s keys and entries (the previous table), to skip regrowing. */
  constructor(like?: MemPostings) {
    this.slots = like?.slots ?? 1 << 12;
    this.capacity = like?.capacity ?? 1 << 14;
    this.keys = keyArrays(this.slots);
    this.entT = new Float64Array(this.capacity);
    this.entSeq = new Float64Array(this.capacity);
    this.entTag = new Int32Array(this.capacity);
    this.entNext = new Int32Array(this.capacity);
    this.entSlot = new Int32Array(this.capacity);
  }

  get size(): number {
    return this.entries;
  }

  /** The key's slot (an empty slot if the key is absent). */
  private slotOf(sk: number, v: number): number {
    const mask = this.slots - 1;
    const { sk: keySk, v: keyV } = this.keys;
    let i = (Math.imul(sk, 0x9e3779b1) ^ (v | 0) ^ Math.floor(v / 4294967296)) & mask;
    for (;;) {
      const k = keySk[i] as number;
      if (k === -1 || (k === sk && keyV[i] === v)) return i;
      i = (i + 1) & mask;
    }
  }

  add(sk: number, v: number, t: number, seq: number, tag: number): void {
    if (this.entries === this.capacity) this.growEntries();
    if (this.used * 2 >= this.slots) this.rehash();
    const e = this.entries++;
    const at = this.slotOf(sk, v);
    const k = this.keys;
    this.entT[e] = t;
    this.entSeq[e] = seq;
    this.entTag[e] = tag;
    this.entNext[e] = -1;
    this.entSlot[e] = at;
    if (k.sk[at] === -1) {
      k.sk[at] = sk;
      k.v[at] = v;
      k.head[at] = e;
      k.count[at] = 0;
      k.ordered[at] = 1;
      this.used++;
    } else {
      this.entNext[k.tail[at] as number] = e;
      const lt = k.lastT[at] as number;
      if (t < lt || (t === lt && seq <= (k.lastSeq[at] as number))) k.ordered[at] = 0;
    }
    k.lastT[at] = t;
    k.lastSeq[at] = seq;
    k.tail[at] = e;
    k.count[at] = (k.count[at] as number) + 1;
  }

  /** The entries of one key, ascending, or undefined if it has none. */
  get(sk: number, v: number, tagged: boolean): PostingsView | undefined {
    const at = this.slotOf(sk, v);
    const k = this.keys;
    if (k.sk[at] === -1) return undefined;
    const count = k.count[at] as number;
    const cached = this.views.get(at);
    if (cached && cached.count === count) return cached.postings;
    const ordered = k.ordered[at] === 1;
    if (cached && ordered) {
      this.copyEntries(this.entNext[cached.last] as number, cached.postings);
      cached.count = count;
      cached.last = k.tail[at] as number;
      return cached.postings;
    }
    const p = emptyPostings(tagged);
    this.copyEntries(k.head[at] as number, p);
    if (!ordered) sortPostings(p);
    this.views.set(at, { count, last: k.tail[at] as number, postings: p });
    return p;
  }

  /** Appends the entries from `e` to the end of its key's list. */
  private copyEntries(e: number, p: Postings): void {
    for (; e !== -1; e = this.entNext[e] as number) {
      p.ts.push(this.entT[e] as number);
      p.seqs.push(this.entSeq[e] as number);
      p.tags?.push(this.entTag[e] as number);
    }
  }

  /**
   * Every key with its entries, ascending, in (sk, v) order. Entries are regrouped by a counting
   * sort into contiguous typed arrays (one sequential pass, no per-key allocation). The table
   * stays readable (get) but must not be added to any more.
   */
  drain(isTagged: (sk: number) => boolean): MemKey[] {
    const k = this.keys;
    const { sk: keySk, v: keyV } = k;
    const occupied: number[] = [];
    for (let at = 0; at < this.slots; at++) if (keySk[at] !== -1) occupied.push(at);
    occupied.sort(
      (a, b) => (keySk[a] as number) - (keySk[b] as number) || (keyV[a] as number) - (keyV[b] as number),
    );
    const start = new Int32Array(this.slots);
    const next = new Int32Array(this.slots);
    let offset = 0;
    for (const at of occupied) {
      start[at] = offset;
      next[at] = offset;
      offset += k.count[at] as number;
    }
    const ts = new Float64Array(this.entries);
    const seqs = new Float64Array(this.entries);
    const tags = new Int32Array(this.entries);
    for (let e = 0; e < this.entries; e++) {
      const slot = this.entSlot[e] as number;
      const to = next[slot] as number;
      next[slot] = to + 1;
      ts[to] = this.entT[e] as number;
      seqs[to] = this.entSeq[e] as number;
      tags[to] = this.entTag[e] as number;
    }
    return occupied.map((at): MemKey => {
      const sk = keySk[at] as number;
      const from = start[at] as number;
      const to = from + (k.count[at] as number);
      const tagged = isTagged(sk);
      let postings: PostingsView = {
        ts: ts.subarray(from, to),
        seqs: seqs.subarray(from, to),
        tags: tagged ? tags.subarray(from, to) : undefined,
      };
      if (k.ordered[at] === 0) {
        const sorted = emptyPostings(tagged);
        appendPostings(sorted, postings);
        sortPostings(sorted);
        postings = sorted;
      }
      return { sk, v: keyV[at] as number, postings };
    });
  }

  private growEntries(): void {
    this.capacity *= 2;
    this.entT = grown(this.entT, new Float64Array(this.capacity));
    this.entSeq = grown(this.entSeq, new Float64Array(this.capacity));
    this.entTag = grown(this.entTag, new Int32Array(this.capacity));
    this.entNext = grown(this.entNext, new Int32Array(this.capacity));
    this.entSlot = grown(this.entSlot, new Int32Array(this.capacity));
  }

  private rehash(): void {
    const old = this.keys;
    const oldSlots = this.slots;
    this.slots *= 2;
    this.keys = keyArrays(this.slots);
    this.views = new Map();
    const moved = new Int32Array(oldSlots);
    const k = this.keys;
    for (let at = 0; at < oldSlots; at++) {
      if (old.sk[at] === -1) continue;
      const to = this.slotOf(old.sk[at] as number, old.v[at] as number);
      k.sk[to] = old.sk[at] as number;
      k.v[to] = old.v[at] as number;
      k.head[to] = old.head[at] as number;
      k.tail[to] = old.tail[at] as number;
      k.count[to] = old.count[at] as number;
      k.ordered[to] = old.ordered[at] as number;
      k.lastT[to] = old.lastT[at] as number;
      k.lastSeq[to] = old.lastSeq[at] as number;
      moved[at] = to;
    }
    for (let e = 0; e < this.entries; e++) this.entSlot[e] = moved[this.entSlot[e] as number] as number;
  }
}

/** The key table, one typed array per field; a slot is free while its `sk` is -1. */
interface KeyArrays {
  sk: Int32Array;
  v: Float64Array;
  head: Int32Array;
  tail: Int32Array;
  count: Int32Array;
  ordered: Uint8Array;
  lastT: Float64Array;
  lastSeq: Float64Array;
}

function keyArrays(slots: number): KeyArrays {
  return {
    sk: new Int32Array(slots).fill(-1),
    v: new Float64Array(slots),
    head: new Int32Array(slots),
    tail: new Int32Array(slots),
    count: new Int32Array(slots),
    ordered: new Uint8Array(slots),
    lastT: new Float64Array(slots),
    lastSeq: new Float64Array(slots),
  };
}

function grown<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
