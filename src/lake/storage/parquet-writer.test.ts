import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { StoreFile } from "../lake-db.js";
import { DayBatches } from "./day-batches.js";
import { lit, ParquetWriter } from "./parquet-writer.js";

const event = (id: string, time: string) =>
  JSON.stringify({ eventVersion: "1.11", eventTime: time, eventID: id, eventName: "ListTrails" });

describe("ParquetWriter", () => {
  let dir: string;
  let writer: ParquetWriter;
  const storeDir = () => join(dir, "store");
  const stage = async (name: string, lines: string[]): Promise<string> => {
    const jsonl = join(dir, `${name}.jsonl`);
    await writeFile(jsonl, `${lines.join("\n")}\n`);
    await writer.stageJsonLines(jsonl, name);
    return name;
  };
  const all = { where: "true", sorted: true };
  const day = async (name: string, times: string[]): Promise<StoreFile> => {
    const table = await stage(
      name,
      times.map((t, i) => event(`${name}-${i}`, t)),
    );
    const file = await writer.writeStaged(table, all, "2024-03-01", {
      storeDir: storeDir(),
      cutoff: new Date(0),
    });
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
    const table = await stage("mixed", [
      event("old", "2020-01-01T00:00:00Z"),
      event("kept", "2024-03-01T10:00:00Z"),
      JSON.stringify({ eventTime: "2024-03-01T10:00:01Z" }),
    ]);
    const file = await writer.writeStaged(table, all, "2024-03-01", {
      storeDir: storeDir(),
      cutoff: new Date("2024-01-01"),
    });
    assert.equal(file?.day, "2024-03-01");
    assert.equal(file?.rows, 1);
    assert.match(file?.path ?? "", /^day=2024-03-01\/part-[0-9a-f-]+\.parquet$/);
    assert.deepEqual(await ids(join(storeDir(), file?.path ?? "")), ["kept"]);
  });

  it("writes only the selected rows of a staged batch, sorting them when asked", async () => {
    const times = ["10:00:03", "10:00:01", "10:00:02", "10:00:00"].map((t) => `2024-03-01T${t}Z`);
    const table = await stage(
      "selected",
      times.map((t, i) => event(`s-${i}`, t)),
    );
    const opts = { storeDir: storeDir(), cutoff: new Date(0) };
    const batches = new DayBatches();
    for (const row of [0, 2, 3]) batches.add("2024-03-01", row, Date.parse(times[row] as string));
    const selection = batches.days.get("2024-03-01")?.selection();
    assert.ok(selection && !selection.sorted);
    const file = await writer.writeStaged(table, selection, "2024-03-01", opts);
    assert.deepEqual(await ids(join(storeDir(), file?.path ?? "")), ["s-3", "s-2", "s-0"]);
    const none = await writer.writeStaged(table, { where: "rowid > 10", sorted: true }, "2024-03-01", opts);
    assert.equal(none, undefined);
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
