import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { EventLog } from "./event-log.js";
import { MAX_PAYLOAD_BYTES } from "./frame.js";
import type { LogError } from "./log-error.js";
import { INDEX_INTERVAL } from "./sparse-index.js";
import { payloadFor, TempDirs } from "./test-support/temp-dirs.js";

const temp = new TempDirs();
after(() => temp.cleanup());

/** Sizes vary so that frame offsets are irregular. */
const sized = (i: number) => payloadFor(i, 20 + ((i * 37) % 300));

async function filled(n: number, segmentBytes = 8 * 1024): Promise<{ dir: string; log: EventLog }> {
  const dir = await temp.make();
  const log = await EventLog.open({ dir, segmentBytes });
  const batch = Array.from({ length: n }, (_, i) => sized(i));
  // Mixed: single appends and batches, so both paths cross segment boundaries.
  await Promise.all(batch.slice(0, 100).map((p) => log.append(p)));
  for (let i = 100; i < n; i += 333) await log.appendBatch(batch.slice(i, i + 333));
  return { dir, log };
}

function assertRecords(log: EventLog, from: number, to: number): void {
  const got = log.read(from, to - from + 10);
  assert.equal(got.length, to - from);
  got.forEach((r, i) => {
    assert.equal(r.seq, from + i);
    assert.deepEqual(r.payload, sized(from + i));
  });
}

describe("EventLog append and read", () => {
  test("round trip across many segments, and reopen gives the same endSeq and bytes", async () => {
    const { dir, log } = await filled(2000);
    assert.equal(log.startSeq, 0);
    assert.equal(log.endSeq, 2000);
    assertRecords(log, 0, 2000);
    const files = await readdir(join(dir, "segments"));
    assert.ok(files.length > 20, `expected many segments, got ${files.length}`);
    assert.ok(files.every((f) => /^\d{20}\.seg$/.test(f)));
    const before = await Promise.all(files.map((f) => readFile(join(dir, "segments", f))));
    await log.close();

    const reopened = await EventLog.open({ dir, segmentBytes: 8 * 1024 });
    try {
      assert.equal(reopened.endSeq, 2000);
      assertRecords(reopened, 0, 2000);
      const after = await Promise.all(files.map((f) => readFile(join(dir, "segments", f))));
      assert.deepEqual(after, before);
      assert.equal(await reopened.append(sized(2000)), 2000);
    } finally {
      await reopened.close();
    }
  });

  test("segments roll before exceeding segmentBytes and are named by their first seq", async () => {
    const { dir, log } = await filled(500, 4096);
    await log.close();
    const files = (await readdir(join(dir, "segments"))).sort();
    let expectedBase = 0;
    for (const f of files) {
      const bytes = await readFile(join(dir, "segments", f));
      assert.ok(bytes.length <= 4096);
      assert.equal(Number(f.slice(0, 20)), expectedBase);
      let records = 0;
      for (let at = 0; at < bytes.length; at += 8 + bytes.readUInt32LE(at)) records++;
      expectedBase += records;
    }
    assert.equal(expectedBase, 500);
  });

  test("read starts anywhere, including inside sealed segments after reopen (lazy index)", async () => {
    const { dir, log } = await filled(3 * INDEX_INTERVAL + 17, 64 * 1024);
    await log.close();
    const reopened = await EventLog.open({ dir, segmentBytes: 64 * 1024 });
    try {
      for (const from of [0, 1, 255, 256, 257, 511, 700, 3 * INDEX_INTERVAL + 16]) {
        const [first] = reopened.read(from, 1);
        assert.equal(first?.seq, from);
        assert.deepEqual(first?.payload, sized(from));
      }
      assert.deepEqual(reopened.read(reopened.endSeq, 5), []);
    } finally {
      await reopened.close();
    }
  });

  test("read honours maxRecords and maxBytes, returning at least one record", async () => {
    const { log } = await filled(300);
    try {
      assert.equal(log.read(10, 7).length, 7);
      const bytes = log.read(0, 300, 1000).reduce((n, r) => n + r.payload.length, 0);
      assert.ok(bytes <= 1000 && bytes > 500);
      assert.equal(log.read(5, 10, 1).length, 1);
    } finally {
      await log.close();
    }
  });

  test("readers following the tail, with small budgets, get every record as appended", async () => {
    // Reads resume where earlier reads stopped (Segment's resume points): several readers at
    // different positions, limited by count and by bytes, across appends and segment rolls.
    const dir = await temp.make();
    const log = await EventLog.open({ dir, segmentBytes: 16 * 1024 });
    const readers = [
      { next: 0, records: 3, bytes: Number.POSITIVE_INFINITY },
      { next: 0, records: 1000, bytes: 700 },
      { next: 0, records: 1000, bytes: Number.POSITIVE_INFINITY },
    ];
    try {
      for (let i = 0; i < 1200; i += 7) {
        await log.appendBatch(Array.from({ length: 7 }, (_, k) => sized(i + k)));
        for (const r of readers) {
          for (const rec of log.read(r.next, r.records, r.bytes)) {
            assert.equal(rec.seq, r.next);
            assert.deepEqual(rec.payload, sized(rec.seq));
            r.next++;
          }
        }
      }
      assert.equal(readers[2]?.next, log.endSeq);
      assertRecords(log, 0, log.endSeq);
    } finally {
      await log.close();
    }
  });

  test("read rejects seqs outside [startSeq, endSeq] and bad limits", async () => {
    const { log } = await filled(10);
    try {
      for (const from of [-1, 11, 1.5, Number.NaN]) assert.throws(() => log.read(from, 1), RangeError);
      assert.throws(() => log.read(0, 0), RangeError);
      assert.throws(() => log.read(0, 1, 0), RangeError);
    } finally {
      await log.close();
    }
  });

  test("invalid payloads reject with a RangeError and take no seq", async () => {
    const { log } = await filled(3);
    try {
      await assert.rejects(log.append(Buffer.alloc(0)), RangeError);
      await assert.rejects(log.append(Buffer.alloc(MAX_PAYLOAD_BYTES + 1)), RangeError);
      await assert.rejects(log.append(42 as unknown as Buffer), RangeError);
      await assert.rejects(log.append(""), RangeError);
      await assert.rejects(log.append("é".repeat(MAX_PAYLOAD_BYTES / 2 + 1)), RangeError);
      await assert.rejects(log.appendBatch([Buffer.from("ok"), Buffer.alloc(0)]), RangeError);
      assert.deepEqual(await log.appendBatch([]), []);
      assert.equal(await log.append(Buffer.alloc(MAX_PAYLOAD_BYTES, 1)), 3);
      assert.equal(log.endSeq, 4);
    } finally {
      await log.close();
    }
  });

  test("the payload is captured when append is called", async () => {
    const { log } = await filled(0);
    try {
      const buf = Buffer.from("original");
      const pending = log.append(buf);
      buf.write("mutated!");
      const seq = await pending;
      assert.equal(log.read(seq, 1)[0]?.payload.toString(), "original");
    } finally {
      await log.close();
    }
  });

  test("close flushes queued appends, then refuses appends and reads with ERR_LOG_CLOSED", async () => {
    const { log } = await filled(0);
    const pending = Array.from({ length: 50 }, (_, i) => log.append(sized(i)));
    await log.close();
    assert.deepEqual(await Promise.all(pending), [...Array(50).keys()]);
    await assert.rejects(log.append(sized(1)), (e: LogError) => e.code === "ERR_LOG_CLOSED");
    assert.throws(
      () => log.read(0, 1),
      (e: LogError) => e.code === "ERR_LOG_CLOSED",
    );
    await log.close(); // idempotent
  });

  test("a directory is open in one EventLog at a time", async () => {
    const dir = await temp.make();
    const log = await EventLog.open({ dir });
    try {
      await assert.rejects(EventLog.open({ dir }), (e: LogError) => e.code === "ERR_LOG_LOCKED");
    } finally {
      await log.close();
    }
    await (await EventLog.open({ dir })).close();
  });

  test("a sealed segment that lost bytes is reported as ERR_LOG_CORRUPT on read", async () => {
    const { dir, log } = await filled(200, 2048);
    await log.close();
    const [first] = (await readdir(join(dir, "segments"))).sort();
    const path = join(dir, "segments", first as string);
    const bytes = await readFile(path);
    bytes[20] = (bytes[20] ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    const reopened = await EventLog.open({ dir, segmentBytes: 2048 });
    try {
      assert.throws(
        () => reopened.read(0, 10),
        (e: LogError) => e.code === "ERR_LOG_CORRUPT",
      );
      assertRecords(reopened, 100, 200); // other segments still read
    } finally {
      await reopened.close();
    }
  });
});

describe("EventLog group commit", () => {
  test("10,000 concurrent appends get distinct dense seqs with far fewer fdatasyncs", async () => {
    const { log } = await filled(0);
    try {
      const n = 10_000;
      const seqs = await Promise.all(Array.from({ length: n }, (_, i) => log.append(payloadFor(i, 100))));
      assert.deepEqual(
        [...seqs].sort((a, b) => a - b),
        [...Array(n).keys()],
      );
      // Each append's seq is where its own payload is.
      for (const i of [0, 1, 4999, 9999])
        assert.deepEqual(log.read(seqs[i] as number, 1)[0]?.payload, payloadFor(i, 100));
      assert.equal(log.stats.appends, n);
      assert.ok(log.stats.flushes < n / 20, `${log.stats.flushes} flushes for ${n} appends`);
      assert.ok(log.stats.fsyncs < n / 10, `${log.stats.fsyncs} fsyncs for ${n} appends`);
    } finally {
      await log.close();
    }
  });

  test("appends made while a flush is in flight go into the next flush", async () => {
    const { log } = await filled(0);
    try {
      const first = log.append(sized(0));
      await new Promise((r) => setImmediate(r)); // the first flush is now writing
      const rest = Array.from({ length: 100 }, (_, i) => log.append(sized(i + 1)));
      assert.equal(await first, 0);
      assert.deepEqual(
        await Promise.all(rest),
        [...Array(100).keys()].map((i) => i + 1),
      );
      assert.ok(log.stats.flushes <= 3, `${log.stats.flushes} flushes`);
    } finally {
      await log.close();
    }
  });

  test("grouped appends are stored in call order among seq'd appends, and share one promise per flush", async () => {
    const { log } = await filled(0);
    try {
      const first = log.append(sized(0));
      await new Promise((r) => setImmediate(r)); // the first flush is now writing
      const grouped = Array.from({ length: 300 }, (_, i) =>
        i === 150 ? log.append(sized(i + 1)) : log.appendGrouped(sized(i + 1)),
      );
      const before = grouped.slice(0, 150);
      assert.equal(new Set(before).size, 1, "one promise for the appends made before the seq'd one");
      assert.equal(new Set(grouped.slice(151)).size, 1);
      assert.notEqual(grouped[151], grouped[0], "a seq'd append between them starts a new group");
      await Promise.all(grouped);
      assert.equal(await first, 0);
      assert.equal(await grouped[150], 151);
      assertRecords(log, 0, 301);
      assert.equal(log.stats.appends, 301);
    } finally {
      await log.close();
    }
  });

  test("grouped appends reject invalid payloads alone, and refuse to append once closed", async () => {
    const { dir, log } = await filled(0);
    const ok = log.appendGrouped(sized(0));
    await assert.rejects(log.appendGrouped(Buffer.alloc(0)), RangeError);
    await assert.rejects(log.appendGrouped(Buffer.alloc(MAX_PAYLOAD_BYTES + 1)), RangeError);
    const text = log.appendGrouped("grouped text é");
    await log.close();
    await ok;
    await text;
    await assert.rejects(log.appendGrouped(sized(2)), (e: LogError) => e.code === "ERR_LOG_CLOSED");
    const reopened = await EventLog.open({ dir });
    try {
      assert.equal(reopened.endSeq, 2);
      assert.equal(reopened.read(1, 1)[0]?.payload.toString(), "grouped text é");
    } finally {
      await reopened.close();
    }
  });

  test("grouped appends spill into new entries across arena blocks and segment rolls", async () => {
    const { log } = await filled(0, 64 * 1024);
    try {
      // 3,000 records of up to ~3 KB: more than one 4 MiB arena block and many segments.
      const big = (i: number) => payloadFor(i, 1000 + ((i * 37) % 2000));
      await Promise.all(Array.from({ length: 3000 }, (_, i) => log.appendGrouped(big(i))));
      const got = log.read(0, 5000);
      assert.equal(got.length, 3000);
      for (const [i, r] of got.entries()) assert.deepEqual(r.payload, big(i));
    } finally {
      await log.close();
    }
  });
});
