import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CoalescedSync } from "./coalesced-sync.js";

/** A sync whose completion the test controls; records the generation each sync started at. */
function controlled() {
  let generation = 0;
  const started: number[] = [];
  const finish: Array<(error?: Error) => void> = [];
  const sync = new CoalescedSync(
    () =>
      new Promise<void>((resolve, reject) => {
        started.push(generation);
        finish.push((e) => (e ? reject(e) : resolve()));
      }),
    () => generation,
  );
  return {
    sync,
    started,
    change: () => generation++,
    finishNext: async (error?: Error) => {
      await new Promise((r) => setImmediate(r));
      finish.shift()?.(error);
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe("CoalescedSync (group commit)", () => {
  test("nothing changed: no sync", async () => {
    const c = controlled();
    await c.sync.flush();
    assert.deepEqual(c.started, []);
  });

  test("changes made before one sync started share it", async () => {
    const c = controlled();
    c.change();
    c.change();
    const flushes = [c.sync.flush(), c.sync.flush(), c.sync.flush()];
    await c.finishNext();
    await Promise.all(flushes);
    assert.deepEqual(c.started, [2]);
  });

  test("a change made while a sync runs waits for the next sync", async () => {
    const c = controlled();
    c.change();
    let first = false;
    let second = false;
    void c.sync.flush().then(() => (first = true));
    await new Promise((r) => setImmediate(r));
    c.change();
    void c.sync.flush().then(() => (second = true));
    await c.finishNext();
    assert.equal(first, true);
    assert.equal(second, false, "resolved by a sync that started before its change");
    await c.finishNext();
    assert.equal(second, true);
    assert.deepEqual(c.started, [1, 2]);
  });

  test("a failed sync rejects its waiters and the next flush syncs again", async () => {
    const c = controlled();
    c.change();
    const failed = assert.rejects(c.sync.flush(), /EIO/);
    await c.finishNext(new Error("EIO"));
    await failed;
    const retry = c.sync.flush();
    await c.finishNext();
    await retry;
    assert.deepEqual(c.started, [1, 1]);
  });
});
