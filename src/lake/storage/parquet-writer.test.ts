import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { StoreFile } from "../lake-db.js";
import { lit, ParquetWriter } from "./parquet-writer.js";

const event = (id: string, time: string) =>
  JSON.stringify({ eventVersion: "1.11", eventTime: time, eventID: id, eventName: "ListTrails" });

describe("ParquetWriter", () => {
  let dir: string;
  let writer: ParquetWriter;
  const storeDir = () => join(dir, "store");
  const day = async (name: string, times: string[]): Promise<StoreFile> => {
    const jsonl = join(dir, `${name}.jsonl`);
    await writeFile(jsonl, `${times.map((t, i) => event(`${name}-${i}`, t)).join("\n")}\n`);
    const file = await writer.writeDay(jsonl, "2024-03-01", { storeDir: storeDir(), cutoff: new Date(0) });
    assert.ok(file);
    return file;
  };
  const ids = async (path: string) =>
    (await writer.run(`SELECT eventID FROM read_parquet(${lit(path)})`)).map((r) => String(r[0]));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "opentrail-parquet-"));
    writer = await ParquetWriter.open({ tmpDir: join(dir, "tmp"), memoryLimit: "256MB", threads: 1 });
  });
  after(async () => {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a day's records as one file, dropping those past the cutoff or without eventID", async () => {
    const jsonl = join(dir, "mixed.jsonl");
    await writeFile(
      jsonl,
      [
        event("old", "2020-01-01T00:00:00Z"),
        event("kept", "2024-03-01T10:00:00Z"),
        JSON.stringify({ eventTime: "2024-03-01T10:00:01Z" }),
      ].join("\n"),
    );
    const file = await writer.writeDay(jsonl, "2024-03-01", {
      storeDir: storeDir(),
      cutoff: new Date("2024-01-01"),
    });
    assert.equal(file?.day, "2024-03-01");
    assert.equal(file?.rows, 1);
    assert.match(file?.path ?? "", /^day=2024-03-01\/part-[0-9a-f-]+\.parquet$/);
    assert.deepEqual(await ids(join(storeDir(), file?.path ?? "")), ["kept"]);
  });

  it("merges disjoint files in time order whatever order they are listed in", async () => {
    const late = await day("late", ["2024-03-01T12:00:00Z", "2024-03-01T13:00:00Z"]);
    const early = await day("early", ["2024-03-01T01:00:00Z", "2024-03-01T02:00:00Z"]);
    const target = join(dir, "merged-disjoint.parquet");
    const merged = await writer.mergeFiles(
      [late, early].map((f) => join(storeDir(), f.path)),
      target,
    );
    assert.equal(merged.rows, 4);
    assert.deepEqual(await ids(target), ["early-0", "early-1", "late-0", "late-1"]);
  });

  it("sorts when the files' time ranges overlap", async () => {
    const a = await day("a", ["2024-03-01T01:00:00Z", "2024-03-01T05:00:00Z"]);
    const b = await day("b", ["2024-03-01T03:00:00Z", "2024-03-01T07:00:00Z"]);
    const target = join(dir, "merged-overlap.parquet");
    await writer.mergeFiles(
      [a, b].map((f) => join(storeDir(), f.path)),
      target,
    );
    assert.deepEqual(await ids(target), ["a-0", "b-0", "a-1", "b-1"]);
  });
});
