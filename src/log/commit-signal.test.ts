import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CommitSignal, MIN_WAKE_INTERVAL_MS } from "./commit-signal.js";

describe("CommitSignal", () => {
  test("a commit after a quiet spell wakes listeners on the next turn, not synchronously", async () => {
    const signal = new CommitSignal();
    const order: string[] = [];
    signal.once(() => order.push("woken"));
    signal.notify();
    order.push("after notify");
    // A timer due well before the wake interval: the wake must already have happened.
    await sleep(1);
    assert.deepEqual(order, ["after notify", "woken"]);
  });

  test("a cancelled listener is not woken", async () => {
    const signal = new CommitSignal();
    let woken = false;
    const cancel = signal.once(() => {
      woken = true;
    });
    cancel();
    signal.notify();
    await sleep(MIN_WAKE_INTERVAL_MS * 3);
    assert.equal(woken, false);
  });

  test("under a stream of commits, a listener is woken once per interval, and after the last commit", async () => {
    const signal = new CommitSignal();
    let wakes = 0;
    let lastWakeAt = 0;
    const listen = () =>
      signal.once(() => {
        wakes++;
        lastWakeAt = performance.now();
        listen();
      });
    listen();
    const commits = 100;
    const start = performance.now();
    let lastCommitAt = 0;
    for (let i = 0; i < commits; i++) {
      signal.notify();
      lastCommitAt = performance.now();
      await sleep(1);
    }
    await sleep(MIN_WAKE_INTERVAL_MS * 3);
    const elapsed = lastCommitAt - start;
    // One wake per interval, plus the first and the one after the last commit, however many
    // commits there were; a loaded machine only stretches the intervals, so fewer wakes, never
    // more. Timers have millisecond granularity, so an interval may measure a little short.
    assert.ok(wakes >= 2, `woken ${wakes} times`);
    assert.ok(
      wakes <= Math.ceil(elapsed / (MIN_WAKE_INTERVAL_MS - 1)) + 2,
      `woken ${wakes} times in ${elapsed} ms`,
    );
    assert.ok(wakes < commits / 3, `woken ${wakes} times for ${commits} commits`);
    // The last commit is never left unannounced.
    assert.ok(lastWakeAt >= lastCommitAt, "a wake follows the last commit");
  });
});
