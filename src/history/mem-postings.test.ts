import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemPostings } from "./mem-postings.js";

const list = (m: MemPostings, sk: number, v: number) => {
  const p = m.get(sk, v, true);
  return p ? Array.from(p.ts, (t, i) => [t, p.seqs[i], p.tags?.[i]]) : undefined;
};

describe("MemPostings.get", () => {
  test("a key's copy grows with the entries added after a lookup, in order", () => {
    const m = new MemPostings();
    m.add(1, 7, 100, 1, 11);
    m.add(2, 7, 100, 2, 12);
    assert.deepEqual(list(m, 1, 7), [[100, 1, 11]]);
    m.add(1, 7, 101, 3, 13);
    m.add(1, 7, 102, 4, 14);
    assert.deepEqual(list(m, 1, 7), [
      [100, 1, 11],
      [101, 3, 13],
      [102, 4, 14],
    ]);
    assert.deepEqual(list(m, 2, 7), [[100, 2, 12]]);
    assert.equal(list(m, 3, 7), undefined);
  });

  test("an entry older than the key's last is sorted in, even after a lookup", () => {
    const m = new MemPostings();
    m.add(1, 7, 200, 1, 0);
    assert.deepEqual(list(m, 1, 7), [[200, 1, 0]]);
    m.add(1, 7, 100, 2, 0);
    m.add(1, 7, 300, 3, 0);
    assert.deepEqual(list(m, 1, 7), [
      [100, 2, 0],
      [200, 1, 0],
      [300, 3, 0],
    ]);
  });

  test("copies stay right across a rehash of the key table", () => {
    const m = new MemPostings();
    m.add(1, 0, 1, 1, 0);
    assert.equal(list(m, 1, 0)?.length, 1);
    for (let i = 1; i < 10_000; i++) m.add(1, i, i, i + 1, 0);
    m.add(1, 0, 2, 20_000, 0);
    assert.deepEqual(list(m, 1, 0), [
      [1, 1, 0],
      [2, 20_000, 0],
    ]);
  });
});
