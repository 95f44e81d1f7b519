import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Worker } from "node:worker_threads";
import { EncodedJsonOutput, encodeJsonOutput } from "../protocol/aws-json.js";
import { AwsError } from "../protocol/errors.js";
import { tempDir } from "../test-support/fixtures.js";
import { HistoryIndex } from "./history-index.js";
import { HistoryThread } from "./history-thread.js";
import { generated, ids, logRecords } from "./test-support.js";

const NOW = new Date("2025-01-01T00:00:00Z");
const events = generated(500, { seed: 7, end: NOW, accounts: ["111122223333"], regions: [["us-east-1", 1]] });
const scope = { accountId: "111122223333", region: "us-east-1" };

describe("HistoryThread", () => {
  it("answers as the HistoryIndex on its thread would, and keeps its cursor across a restart", async () => {
    const dir = tempDir("opentrail-history-thread-");
    const path = join(dir.path, "history.db");
    const records = logRecords(events);
    let thread = await HistoryThread.open({ path });
    try {
      assert.equal(thread.cursor().load(), 0);
      // Payloads that are views into a larger buffer, as the log hands them over.
      const packed = Buffer.concat([Buffer.from("xx"), ...records.map((r) => r.payload)]);
      let at = 2;
      const views = records.map((r) => {
        const view = { seq: r.seq, payload: packed.subarray(at, at + r.payload.length) };
        at += r.payload.length;
        return view;
      });
      await thread.apply(views.slice(0, 300));
      assert.equal(thread.cursor().load(), 300);
      await thread.apply(views.slice(250));
      assert.equal(thread.cursor().load(), 500);
      const page = await thread.lookupEvents({ MaxResults: 50 }, scope, NOW);
      assert.equal(page.Events?.length, 50);
      // The same page serialised on the worker, as the API sends it.
      const wire = await thread.lookupEventsJson({ MaxResults: 50 }, scope, NOW);
      assert.ok(wire instanceof EncodedJsonOutput);
      assert.equal(wire.body.toString("utf8"), encodeJsonOutput(page));
      assert.ok(page.Events?.[0]?.EventTime instanceof Date);
      assert.equal((await thread.stats()).events, 500);
      await thread.close();
      await assert.rejects(thread.lookupEvents({}, scope, NOW), /closed/);

      // The same database read directly: same events, same order; the cursor survived.
      const direct = HistoryIndex.open({ path });
      const expected = direct.lookupEvents({ MaxResults: 50 }, scope, NOW);
      direct.close();
      assert.deepEqual(ids(page.Events), ids(expected.Events));
      thread = await HistoryThread.open({ path });
      assert.equal(thread.cursor().load(), 500);
      await thread.apply(records.slice(400));
      assert.equal((await thread.stats()).events, 500, "records below the cursor are not indexed twice");
    } finally {
      await thread.close();
      dir.remove();
    }
  });

  it("returns CloudTrail's errors as AwsErrors, and stays usable after one", async () => {
    const dir = tempDir("opentrail-history-thread-");
    const thread = await HistoryThread.open({ path: join(dir.path, "history.db") });
    try {
      await thread.apply(logRecords(events.slice(0, 10)));
      const lookups = [
        () => thread.lookupEvents({ MaxResults: 0 }, scope, NOW),
        () => thread.lookupEventsJson({ MaxResults: 0 }, scope, NOW),
      ];
      for (const lookup of lookups) {
        const e = await lookup().catch((err: unknown) => err);
        assert.ok(e instanceof AwsError);
        assert.equal(e.code, "InvalidMaxResultsException");
        assert.equal(e.status, 400);
      }
      assert.equal((await thread.lookupEvents({}, scope, NOW)).Events?.length, 10);
    } finally {
      await thread.close();
      dir.remove();
    }
  });

  it("enforces retention on its thread", async () => {
    const dir = tempDir("opentrail-history-thread-");
    const thread = await HistoryThread.open({ path: join(dir.path, "history.db"), retentionDays: 1 });
    try {
      await thread.apply(logRecords(events));
      const kept = events.filter((e) => Date.parse(e.eventTime) >= NOW.getTime() - 86_400_000).length;
      assert.ok(kept < events.length);
      assert.equal(await thread.enforceRetention(NOW), events.length - kept);
      assert.equal((await thread.stats()).events, kept);
    } finally {
      await thread.close();
      dir.remove();
    }
  });

  it("replaces a worker that dies, without losing or repeating an event", async () => {
    const dir = tempDir("opentrail-history-thread-");
    const path = join(dir.path, "history.db");
    const records = logRecords(events);
    const thread = await HistoryThread.open({ path });
    // The worker as a crash would end it: from outside, mid-call.
    const kill = () => (thread as unknown as { worker: Worker }).worker.terminate();
    try {
      await thread.apply(records.slice(0, 300));
      const inFlight = thread.apply(records.slice(300));
      await kill();
      await assert.rejects(inFlight, /history worker exited/);
      // The next call waits for the new worker, which reopened the database at its cursor.
      assert.equal((await thread.stats()).events, 300);
      assert.equal(thread.restartCount, 1);
      assert.equal(thread.cursor().load(), 300);
      // The consumer's retry of the batch that was cut off.
      await thread.apply(records.slice(300));
      assert.equal(thread.cursor().load(), 500);
      assert.equal((await thread.stats()).events, 500);

      // Killed between a commit and its answer: applying the batch again adds nothing twice.
      await kill();
      await thread.apply(records.slice(450));
      const stats = await thread.stats();
      assert.equal(stats.events, 500);
      assert.equal(stats.unflushedEvents, 500, "the in-memory index is rebuilt from the database");
      assert.equal(thread.restartCount, 2);
      const page = await thread.lookupEvents({ MaxResults: 50 }, scope, NOW);
      const direct = await HistoryThread.open({ path: join(dir.path, "reference.db") });
      try {
        await direct.apply(records);
        assert.deepEqual(
          ids(page.Events),
          ids((await direct.lookupEvents({ MaxResults: 50 }, scope, NOW)).Events),
        );
      } finally {
        await direct.close();
      }
    } finally {
      await thread.close();
      dir.remove();
    }
  });

  it("backs off while a new worker cannot open the database, and fails calls meanwhile", async () => {
    const dir = tempDir("opentrail-history-thread-");
    const path = join(dir.path, "history.db");
    const delays: number[] = [];
    const thread = await HistoryThread.open(
      { path },
      {
        restartDelayMs: (n) => {
          delays.push(n);
          return n === 0 ? 0 : 60_000;
        },
      },
    );
    try {
      await thread.apply(logRecords(events.slice(0, 10)));
      // The database's place taken by a folder: every reopening fails.
      rmSync(path, { force: true });
      for (const f of ["-wal", "-shm"]) rmSync(path + f, { force: true });
      mkdirSync(path);
      await (thread as unknown as { worker: Worker }).worker.terminate();
      await assert.rejects(thread.stats(), /database|directory|SQLITE/i);
      assert.deepEqual(delays, [0, 1]);
      // Backing off (60 s here): calls fail at once instead of waiting.
      const t0 = performance.now();
      await assert.rejects(thread.lookupEvents({}, scope, NOW));
      assert.ok(performance.now() - t0 < 1000);
      assert.equal(thread.restartCount, 0);
    } finally {
      await thread.close();
      dir.remove();
    }
  });

  it("refuses a bad retention setting and a database it cannot open", async () => {
    assert.throws(() => HistoryThread.open({ path: "/nonexistent", retentionDays: 0 }), RangeError);
    const dir = tempDir("opentrail-history-thread-");
    try {
      // A folder where the database file should be.
      await assert.rejects(HistoryThread.open({ path: dir.path }));
    } finally {
      dir.remove();
    }
  });
});
