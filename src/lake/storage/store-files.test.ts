import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LakeDb } from "../lake-db.js";
import { lit, ParquetWriter } from "./parquet-writer.js";
import { StoreFiles } from "./store-files.js";

const event = (id: string, time: string) =>
  JSON.stringify({ eventVersion: "1.11", eventTime: time, eventID: id, eventName: "ListTrails" });

describe("StoreFiles", () => {
  let dir: string;
  let db: LakeDb;
  let writer: ParquetWriter;
  const storeDir = () => join(dir, "store");
  /** Commits one file per UTC day of `times`; a new StoreFiles then sees every day as quiet. */
  const ingest = async (times: string[]) => {
    const jsonl = join(dir, "batch.jsonl");
    await writeFile(jsonl, `${times.map((t, i) => event(`${t}-${i}`, t)).join("\n")}\n`);
    const files = new StoreFiles(db, "store", storeDir());
    await files.commit(await writer.writeJsonLines(jsonl, { storeDir: storeDir(), cutoff: new Date(0) }), []);
    return new StoreFiles(db, "store", storeDir());
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "opentrail-store-files-"));
    db = new LakeDb(join(dir, "lake.db"));
    writer = await ParquetWriter.open({ tmpDir: join(dir, "tmp"), memoryLimit: "256MB", threads: 1 });
  });
  after(async () => {
    writer.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("merges a quiet month that ended across its days; leases and retention go by its day range", async () => {
    const march = ["2024-03-01", "2024-03-02", "2024-03-05"].flatMap((d) => [
      `${d}T01:00:00Z`,
      `${d}T23:00:00Z`,
    ]);
    let files = await ingest([...march, "2024-04-01T00:00:00Z", "2024-04-02T00:00:00Z"]);
    assert.equal(files.list.length, 5);
    // On 2024-04-20 March has ended (April has not): March becomes one file, April's days stay.
    await files.compact(writer, Date.parse("2024-04-20T00:00:00Z"));
    const merged = files.list.find((f) => f.day === "2024-03-01");
    assert.deepEqual(files.list.map((f) => [f.day, f.lastDay, f.rows]).sort(), [
      ["2024-03-01", "2024-03-05", 6],
      ["2024-04-01", undefined, 1],
      ["2024-04-02", undefined, 1],
    ]);
    assert.ok(merged);
    const times = await writer.run(
      `SELECT CAST(eventTime AS VARCHAR) FROM read_parquet(${lit(join(storeDir(), merged.path))})`,
    );
    assert.deepEqual(
      times.map((r) => String(r[0]).slice(0, 13)),
      march.map((t) => t.replace("T", " ").slice(0, 13)),
    );
    // The day range survives a restart.
    files = new StoreFiles(db, "store", storeDir());
    assert.equal(files.list.find((f) => f.path === merged.path)?.lastDay, "2024-03-05");
    // A query of 2024-03-03 reads the March file (it spans that day), not April's.
    const lease = files.lease({
      from: Date.parse("2024-03-03T00:00:00Z"),
      to: Date.parse("2024-03-03T12:00:00Z"),
    });
    assert.deepEqual(lease.paths, [join(storeDir(), merged.path)]);
    assert.equal(lease.firstDay, "2024-03-01");
    lease.release();
    // Retention keeps the file while any of its days is kept, and deletes it after its last day.
    await files.enforceRetention(new Date("2024-03-05T12:00:00Z"));
    assert.ok(files.list.some((f) => f.path === merged.path));
    await files.enforceRetention(new Date("2024-03-06T00:00:00Z"));
    assert.ok(!files.list.some((f) => f.path === merged.path));
    assert.ok(!existsSync(join(storeDir(), merged.path)));
  });

  it("leaves the days of a month that has not ended, and merges today's tiny files at two", async () => {
    const files = await ingest(["2024-06-01T00:00:00Z", "2024-06-02T00:00:00Z", "2024-06-03T00:00:00Z"]);
    const june = () => files.list.filter((f) => f.day.startsWith("2024-06"));
    await files.compact(writer, Date.parse("2024-06-30T12:00:00Z"));
    assert.equal(june().length, 3);
    // Two more writes on the current day (not quiet: just written) still make one file.
    await files.commit(
      await writer.writeJsonLines(await jsonl(dir, ["2024-06-30T01:00:00Z"]), {
        storeDir: storeDir(),
        cutoff: new Date(0),
      }),
      [],
    );
    await files.commit(
      await writer.writeJsonLines(await jsonl(dir, ["2024-06-30T02:00:00Z"]), {
        storeDir: storeDir(),
        cutoff: new Date(0),
      }),
      [],
    );
    assert.equal(files.list.filter((f) => f.day === "2024-06-30").length, 2);
    await files.compact(writer, Date.parse("2024-06-30T12:00:00Z"));
    assert.deepEqual(
      files.list.filter((f) => f.day === "2024-06-30").map((f) => f.rows),
      [2],
    );
  });
});

async function jsonl(dir: string, times: string[]): Promise<string> {
  const path = join(dir, `one-${times[0]}.jsonl`);
  await writeFile(path, `${times.map((t) => event(`x-${t}`, t)).join("\n")}\n`);
  return path;
}
