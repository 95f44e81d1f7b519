import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { seededRandom } from "../../bench/support/event-generator.js";
import { type TempDir, tempDir } from "../test-support/fixtures.js";
import { type HistoryDb, openHistoryDb } from "./history-db.js";
import { compareEntry } from "./posting-chunk.js";
import { Kind, scopeKey } from "./posting-keys.js";
import { IntersectRun, type PostingRun } from "./posting-runs.js";
import { PostingStore } from "./posting-store.js";

type Entry = [t: number, seq: number];

const desc = (entries: Entry[]) => [...entries].sort((a, b) => -compareEntry(a[0], a[1], b[0], b[1]));

function drain(run: PostingRun, limit = Number.POSITIVE_INFINITY): Entry[] {
  const out: Entry[] = [];
  for (; !run.done && out.length < limit; run.next()) out.push([run.t, run.seq]);
  return out;
}

describe("PostingStore", () => {
  let dir: TempDir;
  let hdb: HistoryDb;
  let store: PostingStore;
  const sk = scopeKey(1, false, Kind.Username);
  const flush = () => hdb.db.transaction(() => store.flushAll(0, () => {}))();

  beforeEach(() => {
    dir = tempDir("opentrail-postings-");
    hdb = openHistoryDb(join(dir.path, "h.db"));
    store = new PostingStore(hdb.db);
  });
  afterEach(() => {
    hdb.db.close();
    dir.remove();
  });

  it("returns entries newest first across flushed chunks and memory, however they arrived", () => {
    const random = seededRandom(1);
    const all: Entry[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 700; i++) {
        // Mostly increasing times with some late (out-of-order) arrivals, like a real log.
        const t = 1_700_000_000 + round * 1000 + Math.floor(random() * (random() < 0.1 ? 5000 : 1000));
        const seq = round * 1000 + i;
        store.add(sk, 7, t, seq, 0);
        all.push([t, seq]);
      }
      if (round < 5) flush();
    }
    assert.deepEqual(drain(store.run(sk, 7, Number.MAX_SAFE_INTEGER, 0)), desc(all));
    const rows = hdb.db
      .prepare("SELECT tmin, smin, tmax FROM postings WHERE sk = ? ORDER BY tmin, smin")
      .all(sk) as Array<{ tmin: number; tmax: number }>;
    for (let i = 1; i < rows.length; i++)
      assert.ok(
        (rows[i - 1] as { tmax: number }).tmax <= (rows[i] as { tmin: number }).tmin,
        "chunks never overlap",
      );
  });

  it("starts strictly below a position and seeks forward", () => {
    const all: Entry[] = [];
    for (let i = 0; i < 3000; i++) {
      all.push([1000 + Math.floor(i / 3), i]);
      store.add(sk, 1, 1000 + Math.floor(i / 3), i, 0);
      if (i === 1500) flush();
    }
    const sorted = desc(all);
    const mid = sorted[1234] as Entry;
    assert.deepEqual(drain(store.run(sk, 1, mid[0], mid[1]), 5), sorted.slice(1235, 1240));
    const run = store.run(sk, 1, Number.MAX_SAFE_INTEGER, 0);
    const target = sorted[2500] as Entry;
    run.seek(target[0], target[1]);
    assert.deepEqual([run.t, run.seq], target);
  });

  it("intersects runs (combined lookup attributes)", () => {
    const other = scopeKey(1, false, Kind.EventName);
    for (let i = 0; i < 5000; i++) {
      if (i % 3 === 0) store.add(sk, 1, 2000 + i, i, 0);
      if (i % 5 === 0) store.add(other, 2, 2000 + i, i, 0);
      if (i === 2500) flush();
    }
    const both = drain(new IntersectRun([store.run(sk, 1, 1e12, 0), store.run(other, 2, 1e12, 0)]));
    assert.equal(both.length, 334);
    assert.ok(both.every(([, seq]) => seq % 15 === 0));
  });

  it("flushes a slice of keys at a time while lookups and new entries go on", () => {
    const want = new Map<number, Entry[]>();
    const put = (v: number, t: number, seq: number) => {
      store.add(sk, v, t, seq, 0);
      want.set(v, [...(want.get(v) ?? []), [t, seq]]);
    };
    for (let i = 0; i < 2000; i++) put(i % 50, 3000 + i, i);
    flush();
    for (let i = 2000; i < 4000; i++) put(i % 50, 3000 + i - (i % 7 === 0 ? 1500 : 0), i);
    store.startFlush();
    let seq = 4000;
    for (let done = false; !done; ) {
      done = hdb.db.transaction(() => store.flushStep(0, 7, () => {}))();
      put(seq % 50, 9000 + seq, seq);
      seq++;
      for (const v of [0, 13, 49])
        assert.deepEqual(drain(store.run(sk, v, 1e12, 0)), desc(want.get(v) ?? []));
    }
    flush();
    for (let v = 0; v < 50; v++) assert.deepEqual(drain(store.run(sk, v, 1e12, 0)), desc(want.get(v) ?? []));
  });

  it("expires entries older than a cutoff, rewriting the straddling chunk", () => {
    for (let i = 0; i < 1000; i++) store.add(sk, 3, 5000 + i, i, 0);
    flush();
    assert.equal(store.expiredSeqs(sk, 3, 5300).length, 300);
    hdb.db.transaction(() => store.expireKey(sk, 3, 5300))();
    const left = drain(store.run(sk, 3, 1e12, 0));
    assert.equal(left.length, 700);
    assert.deepEqual(left.at(-1), [5300, 300]);
  });
});
