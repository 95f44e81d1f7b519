import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { EventLog } from "./event-log.js";
import { killAll, outputOf, runScript } from "./test-support/run-child.js";
import { recordingLogger, TempDirs } from "./test-support/temp-dirs.js";

const temp = new TempDirs();
after(async () => {
  killAll();
  await temp.cleanup();
});

const LIMIT = 256 * 1024;
const BATCH_BYTES = 16 * (8 + 1000);

describe("EventLog write failures", () => {
  test("a write that fails part-way (EFBIG, as ENOSPC) rejects, leaves no partial frame, and the log goes on", async () => {
    const dir = await temp.make();
    const { stdout, stderr, code } = await outputOf(runScript("append-until-full.ts", [dir], LIMIT));
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    const batches = Math.floor(LIMIT / BATCH_BYTES);
    assert.equal(report.batches, batches);
    assert.equal(report.batchError, "EFBIG");
    assert.equal(
      report.single,
      batches * 16,
      "the small append takes the next seq: the failed batch took none",
    );
    assert.deepEqual(report.concurrentErrors, Array(100).fill("EFBIG"));
    assert.deepEqual(report.pipelinedErrors, ["EFBIG", "EFBIG"]);
    assert.equal(report.endSeq, batches * 16 + 1);
    assert.equal(report.readBack, report.endSeq);

    // The rollback already cut the partial frames: reopening finds nothing to repair.
    const logger = recordingLogger();
    const log = await EventLog.open({ dir, logger });
    try {
      assert.deepEqual(logger.warnings, []);
      assert.equal(log.endSeq, report.endSeq);
      const [segment] = await readdir(join(dir, "segments"));
      assert.equal((await stat(join(dir, "segments", segment as string))).size, batches * BATCH_BYTES + 108);
      const records = log.read(0, 100_000);
      assert.ok(records.every((r, i) => r.payload[0] === i % 251));
      assert.equal(await log.append(Buffer.from("after")), report.endSeq);
    } finally {
      await log.close();
    }
  });
});

describe("EventLog write failures across a segment roll", () => {
  test("a flush that fails in the segment it created removes that segment and truncates the previous one", async () => {
    const dir = await temp.make();
    const { stdout, stderr, code } = await outputOf(runScript("fail-on-roll.ts", [dir], 512 * 1024));
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.deepEqual(report.outcomes, ["EFBIG", "EFBIG"]);
    assert.deepEqual(report.afterFailure, { endSeq: 10, segments: ["00000000000000000000.seg"] });
    assert.equal(report.next, 10);
    const logger = recordingLogger();
    const log = await EventLog.open({ dir, segmentBytes: 64 * 1024, logger });
    try {
      assert.deepEqual(logger.warnings, []);
      assert.deepEqual(
        log.read(0, 100).map((r) => r.payload[0]),
        [...Array(10).fill(1), 4],
      );
    } finally {
      await log.close();
    }
  });
});

describe("EventLog write failures in a gathered write", () => {
  test("a writev of frames from two arena blocks cut short by EFBIG rejects the whole flush and leaves nothing of it", async () => {
    const dir = await temp.make();
    const { stdout, stderr, code } = await outputOf(
      runScript("grouped-until-full.ts", [dir], 6 * 1024 * 1024),
    );
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.deepEqual(report, { errors: ["EFBIG"], after: 3600, endSeq: 3601, readBack: 3601 });
    const logger = recordingLogger();
    const log = await EventLog.open({ dir, logger });
    try {
      assert.deepEqual(logger.warnings, [], "the rollback left no torn tail to repair");
      const records = log.read(0, 100_000);
      assert.equal(records.length, 3601);
      for (const [i, r] of records.slice(0, 3000).entries())
        assert.deepEqual(r.payload, Buffer.alloc(1000, i % 251));
      for (const r of records.slice(3000, 3600)) assert.deepEqual(r.payload, Buffer.alloc(1000, 9));
      assert.equal(records[3600]?.payload.toString(), "after");
    } finally {
      await log.close();
    }
  });
});
