import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { EventLog } from "./event-log.js";
import type { LogError } from "./log-error.js";
import { killAll, outputOf, runScript } from "./test-support/run-child.js";
import { payloadFor, recordingLogger, TempDirs } from "./test-support/temp-dirs.js";
import type { CursorStore, LogRecord } from "./types.js";

const temp = new TempDirs();
after(async () => {
  killAll();
  await temp.cleanup();
});

async function openLog(dir?: string) {
  return EventLog.open({ dir: dir ?? (await temp.make()), segmentBytes: 4096, logger: recordingLogger() });
}

function ids(records: LogRecord[]): string[] {
  return records.map((r) => r.payload.toString().split("|")[0] as string);
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));

/** Keeps the process alive while a test waits on work that only unref'd timers drive. */
async function keptAlive<T>(work: Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => {}, 1000);
  try {
    return await work;
  } finally {
    clearInterval(keepAlive);
  }
}

describe("EventLog consumers", () => {
  test("see every record exactly once, in order, including ones appended while running", async () => {
    const log = await openLog();
    try {
      await log.appendBatch(range(0, 500).map((i) => payloadFor(i)));
      const seen: LogRecord[] = [];
      const consumer = log.consume({ name: "history", batchSize: 64, apply: (b) => void seen.push(...b) });
      const more = await Promise.all(range(500, 1200).map((i) => log.append(payloadFor(i))));
      await consumer.caughtUp((more.at(-1) as number) + 1);
      assert.deepEqual(ids(seen), range(0, 1200));
      assert.deepEqual(
        seen.map((r) => r.seq),
        [...Array(1200).keys()],
      );
      assert.equal(consumer.position, 1200);
    } finally {
      await log.close();
    }
  });

  test("resume from the cursor file after close and reopen", async () => {
    const dir = await temp.make();
    let log = await openLog(dir);
    await log.appendBatch(range(0, 300).map((i) => payloadFor(i)));
    const first: LogRecord[] = [];
    await log.consume({ name: "trails", apply: (b) => void first.push(...b) }).caughtUp(300);
    await log.close();
    assert.equal((await readFile(join(dir, "cursors", "trails"), "utf8")).trim(), "300");

    log = await openLog(dir);
    try {
      await log.appendBatch(range(300, 350).map((i) => payloadFor(i)));
      const second: LogRecord[] = [];
      const consumer = log.consume({ name: "trails", apply: (b) => void second.push(...b) });
      await consumer.caughtUp(350);
      assert.deepEqual(ids(first), range(0, 300));
      assert.deepEqual(ids(second), range(300, 350));
    } finally {
      await log.close();
    }
  });

  test("a custom CursorStore is loaded and saved instead of the cursor file", async () => {
    const log = await openLog();
    try {
      await log.appendBatch(range(0, 100).map((i) => payloadFor(i)));
      const saves: number[] = [];
      const cursor: CursorStore = { load: () => 40, save: (next) => void saves.push(next) };
      const seen: LogRecord[] = [];
      const consumer = log.consume({
        name: "lake",
        cursor,
        batchSize: 25,
        apply: (b) => void seen.push(...b),
      });
      await consumer.caughtUp(100);
      assert.deepEqual(ids(seen), range(40, 100));
      assert.deepEqual(saves, [65, 90, 100]);
    } finally {
      await log.close();
    }
  });

  test("apply throwing retries the very same batch with backoff", async () => {
    const log = await openLog();
    try {
      await log.appendBatch(range(0, 10).map((i) => payloadFor(i)));
      const attempts: string[][] = [];
      const times: number[] = [];
      const consumer = log.consume({
        name: "flaky",
        batchSize: 4,
        apply: (batch) => {
          attempts.push(ids(batch));
          times.push(Date.now());
          if (attempts.length <= 2) throw new Error("downstream unavailable");
        },
      });
      // Appended while the first batch is failing: the retry must not grow the batch.
      await log.appendBatch(range(10, 12).map((i) => payloadFor(i)));
      await keptAlive(consumer.caughtUp(12));
      assert.deepEqual(attempts.slice(0, 3), [range(0, 4), range(0, 4), range(0, 4)]);
      assert.deepEqual(attempts.slice(3).flat(), range(4, 12));
      const [t0 = 0, t1 = 0, t2 = 0] = times;
      assert.ok(t1 - t0 >= 90, `first retry after ${t1 - t0} ms`);
      assert.ok(t2 - t1 >= 190, `second retry after ${t2 - t1} ms`);
    } finally {
      await log.close();
    }
  });

  test("maxBatchBytes bounds a batch by payload bytes", async () => {
    const log = await openLog();
    try {
      await log.appendBatch(range(0, 40).map((i) => payloadFor(i, 1000)));
      const sizes: number[] = [];
      await log
        .consume({ name: "bounded", maxBatchBytes: 10_000, apply: (b) => void sizes.push(b.length) })
        .caughtUp(40);
      assert.deepEqual(sizes, [10, 10, 10, 10]);
    } finally {
      await log.close();
    }
  });

  test("caughtUp resolves at once when already there, and rejects if the consumer stops first", async () => {
    const log = await openLog();
    try {
      await log.append(payloadFor(0));
      const consumer = log.consume({ name: "waiter", apply: () => {} });
      await consumer.caughtUp(0);
      await consumer.caughtUp(1);
      const never = consumer.caughtUp(5);
      await consumer.stop();
      await assert.rejects(never, (e: LogError) => e.code === "ERR_CONSUMER_STOPPED");
    } finally {
      await log.close();
    }
  });

  test("only one consumer per name runs at a time; after stop the name is free", async () => {
    const log = await openLog();
    try {
      const a = log.consume({ name: "single", apply: () => {} });
      assert.throws(
        () => log.consume({ name: "single", apply: () => {} }),
        (e: LogError) => e.code === "ERR_CONSUMER_EXISTS",
      );
      assert.throws(() => log.consume({ name: "../escape", apply: () => {} }), RangeError);
      assert.throws(() => log.consume({ name: "bad-batch", batchSize: 0, apply: () => {} }), RangeError);
      await a.stop();
      await log.consume({ name: "single", apply: () => {} }).stop();
    } finally {
      await log.close();
    }
  });

  test("close lets a consumer finish its current batch and save it", async () => {
    const dir = await temp.make();
    const log = await openLog(dir);
    await log.appendBatch(range(0, 50).map((i) => payloadFor(i)));
    let release: () => void = () => {};
    let started: () => void = () => {};
    const inApply = new Promise<void>((r) => {
      started = r;
    });
    log.consume({
      name: "slow",
      batchSize: 20,
      apply: () => {
        started();
        return new Promise<void>((r) => {
          release = r;
        });
      },
    });
    await inApply;
    const closing = log.close();
    release();
    await closing;
    assert.equal((await readFile(join(dir, "cursors", "slow"), "utf8")).trim(), "20");
  });

  test("a cursor beyond the end of the log is refused", async () => {
    const dir = await temp.make();
    const log = await openLog(dir);
    try {
      await writeFile(join(dir, "cursors", "ahead"), "99\n");
      assert.throws(() => log.consume({ name: "ahead", apply: () => {} }), RangeError);
    } finally {
      await log.close();
    }
  });

  test("idle and backing-off consumers do not keep the process alive", { timeout: 20_000 }, async () => {
    const dir = await temp.make();
    const { stdout, stderr, code } = await outputOf(runScript("idle-consumer.ts", [dir]));
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "started\n");
  });
});
