import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import type { LogRecord } from "../../log/index.js";
import { BatchStages } from "./batch-stages.js";
import { ParquetWriter } from "./parquet-writer.js";

const record = (seq: number, payload: string): LogRecord =>
  ({ seq, payload: Buffer.from(payload) }) as LogRecord;

describe("BatchStages", () => {
  let dir: string;
  let writer: ParquetWriter;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "opentrail-stages-"));
    writer = await ParquetWriter.open({ tmpDir: join(dir, "tmp"), memoryLimit: "256MB", threads: 1 });
  });
  after(async () => {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("stages a batch once for every store, one table per UTC day, rows in log order", async () => {
    const all = { id: "all", accepts: () => true };
    const writes = { id: "writes", accepts: (e: CloudTrailEvent) => e.readOnly === false };
    const stages = new BatchStages(writer, () => [all, writes]);
    const records = [
      record(10, '{"eventID":"a","eventTime":"2024-03-01T00:00:00Z","readOnly":false}'),
      record(11, "not json"),
      record(12, '{"eventID":"b","eventTime":"2024-03-02T00:00:01Z","readOnly":true}'),
      record(13, '{"eventID":"c",\n"eventTime":"2024-03-01T00:00:02Z","readOnly":false}'),
      record(14, '{"eventID":"d","eventTime":"soon"}'),
    ];
    const [one, two] = await Promise.all([stages.acquire(records, writes), stages.acquire(records, all)]);
    assert.ok(one && two);
    assert.equal(one.tables, two.tables);
    assert.deepEqual([...one.dayOf], ["2024-03-01", undefined, "2024-03-02", "2024-03-01", undefined]);
    assert.deepEqual([...one.rowOf], [0, 0, 0, 1, 0]);
    assert.deepEqual([...(one.takes.get("writes") ?? [])], [1, 0, 0, 1, 0]);
    assert.deepEqual([...(one.takes.get("all") ?? [])], [1, 0, 1, 1, 0]);
    const ids = (day: string) => writer.run(`SELECT eventID FROM "${one.tables.get(day)}" ORDER BY rowid`);
    assert.deepEqual(await ids("2024-03-01"), [["a"], ["c"]]);
    assert.deepEqual(await ids("2024-03-02"), [["b"]]);
    // A store that was not ingesting when the batch was staged gets one of its own.
    const late = await stages.acquire(records, { id: "late", accepts: (e) => e.eventID === "b" });
    assert.notEqual(late.tables, one.tables);
    assert.deepEqual([...late.dayOf], [undefined, undefined, "2024-03-02", undefined, undefined]);
    for (const s of [one, two, late]) s.release();
    // Older batches are dropped once newer ones are staged and no store uses them.
    const later = (seq: number) => record(seq, '{"eventTime":"2024-03-05T00:00:00Z"}');
    for (let seq = 20; seq < 24; seq++) (await stages.acquire([later(seq)], all)).release();
    await new Promise((r) => setTimeout(r, 50));
    const staged = () => writer.run("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'stage_%'");
    assert.equal((await staged()).length, 2);
    await stages.clear();
    assert.equal((await staged()).length, 0);
  });

  it("stages nothing for a store that takes none of a batch, until a store that takes some asks", async () => {
    const all = { id: "all", accepts: () => true };
    const writes = { id: "writes", accepts: (e: CloudTrailEvent) => e.readOnly === false };
    const stages = new BatchStages(writer, () => [all, writes]);
    const staged = () => writer.run("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'stage_%'");
    const records = [record(30, '{"eventID":"r","eventTime":"2024-03-07T00:00:00Z","readOnly":true}')];
    const none = await stages.acquire(records, writes);
    assert.deepEqual([...(none.takes.get("writes") ?? [])], [0]);
    assert.equal((await staged()).length, 0);
    none.release();
    const some = await stages.acquire(records, all);
    assert.deepEqual(await writer.run(`SELECT eventID FROM "${some.tables.get("2024-03-07")}"`), [["r"]]);
    some.release();
    await stages.clear();
    assert.equal((await staged()).length, 0);
  });
});
