import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { EventLog } from "./event-log.js";
import { deletableSegments, slowestPosition } from "./retention.js";
import { payloadFor, recordingLogger, TempDirs } from "./test-support/temp-dirs.js";

describe("retention rules", () => {
  test("the slowest of live consumers and cursor files on disk holds retention", () => {
    assert.equal(slowestPosition(new Map(), new Map()), undefined);
    assert.equal(slowestPosition(new Map([["a", 50]]), new Map([["b", 20]])), 20);
    // A live consumer's position supersedes its own (possibly lagging) file.
    assert.equal(slowestPosition(new Map([["a", 50]]), new Map([["a", 10]])), 50);
  });

  const segments = [{ end: 10 }, { end: 20 }, { end: 30 }, { end: 35 }];
  for (const [position, expected] of [
    [undefined, 0],
    [0, 0],
    [9, 0],
    [10, 1],
    [29, 2],
    [30, 3],
    [1000, 3], // never the active (last) segment
  ] as const) {
    test(`at position ${position}, ${expected} segment(s) can go`, () => {
      assert.equal(deletableSegments(segments, position), expected);
    });
  }
});

const temp = new TempDirs();
after(() => temp.cleanup());

const SEGMENT_BYTES = 10 * (8 + 64); // 10 records of 64 bytes per segment

async function logWith(records: number, dir?: string): Promise<{ dir: string; log: EventLog }> {
  const d = dir ?? (await temp.make());
  const log = await EventLog.open({ dir: d, segmentBytes: SEGMENT_BYTES, logger: recordingLogger() });
  if (records > 0) await log.appendBatch(Array.from({ length: records }, (_, i) => payloadFor(i, 64)));
  return { dir: d, log };
}

const segmentCount = async (dir: string) => (await readdir(join(dir, "segments"))).length;

describe("EventLog.enforceRetention", () => {
  test("with no consumer known, keeps everything", async () => {
    const { dir, log } = await logWith(95);
    try {
      assert.equal(await log.enforceRetention(), 0);
      assert.equal(await segmentCount(dir), 10);
    } finally {
      await log.close();
    }
  });

  test("deletes only fully consumed segments, never the active one; startSeq survives reopen", async () => {
    const { dir, log } = await logWith(95);
    const consumer = log.consume({ name: "history", apply: () => {} });
    await consumer.caughtUp(95);
    assert.equal(await log.enforceRetention(), 9);
    assert.equal(log.startSeq, 90);
    assert.equal(await segmentCount(dir), 1);
    assert.throws(() => log.read(89, 1), RangeError);
    assert.equal(log.read(90, 100).length, 5);
    await log.close();

    const reopened = await EventLog.open({ dir, segmentBytes: SEGMENT_BYTES });
    try {
      assert.equal(reopened.startSeq, 90);
      assert.equal(reopened.endSeq, 95);
    } finally {
      await reopened.close();
    }
  });

  test("respects a consumer that is behind and not running (cursor on disk), until it is dropped", async () => {
    const { dir, log } = await logWith(95);
    try {
      // "slow" ran once, got to 35, and is not running now.
      await writeFile(join(dir, "cursors", "slow"), "35\n");
      await log.dropConsumer("unknown"); // nothing to do
      await log.consume({ name: "fast", apply: () => {} }).caughtUp(95);
      // slow's file says 35: segments [0,10) [10,20) [20,30) are done, [30,40) is not.
      assert.equal(await log.enforceRetention(), 3);
      assert.equal(log.startSeq, 30);
      assert.equal(await segmentCount(dir), 7);
      await log.dropConsumer("slow");
      assert.equal(await log.enforceRetention(), 6);
      assert.equal(log.startSeq, 90);
    } finally {
      await log.close();
    }
  });

  test("a stopped consumer with a custom CursorStore still holds retention (retention mark)", async () => {
    const { log } = await logWith(95);
    try {
      let saved = 0;
      const consumer = log.consume({
        name: "lake",
        batchSize: 25,
        cursor: {
          load: () => saved,
          save: (n) => {
            saved = n;
          },
        },
        apply: () => {},
      });
      await consumer.caughtUp(25);
      await consumer.stop();
      assert.ok(saved >= 25);
      assert.equal(await log.enforceRetention(), Math.floor(saved / 10));
    } finally {
      await log.close();
    }
  });

  test("a consumer stopped before its first batch still holds retention", async () => {
    const { log } = await logWith(95);
    try {
      const never = log.consume({
        name: "stalled",
        apply: () => {
          throw new Error("never applies");
        },
      });
      await new Promise((r) => setTimeout(r, 20));
      await never.stop();
      await log.consume({ name: "fast", apply: () => {} }).caughtUp(95);
      assert.equal(await log.enforceRetention(), 0);
    } finally {
      await log.close();
    }
  });

  test("a new consumer behind the log start skips to startSeq", async () => {
    const { log } = await logWith(95);
    try {
      await log.consume({ name: "first", apply: () => {} }).caughtUp(95);
      await log.enforceRetention();
      const seen: number[] = [];
      await log.consume({ name: "late", apply: (b) => void seen.push(...b.map((r) => r.seq)) }).caughtUp(95);
      assert.deepEqual(seen, [90, 91, 92, 93, 94]);
    } finally {
      await log.close();
    }
  });
});
