import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RecentResults } from "./recent-results.js";
import { KEEP_CHARS, type ResultRow, ResultWriter, readRows } from "./result-file.js";

describe("results kept in memory next to their file", () => {
  const dir = mkdtempSync(join(tmpdir(), "ot-results-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a small result's kept rows are the rows its file holds, page by page", async () => {
    const path = join(dir, "small.jsonl");
    const writer = new ResultWriter(path);
    const rows: ResultRow[] = Array.from({ length: 2500 }, (_, i) => [`r${i}`, i % 7 === 0 ? null : 'ü"\n']);
    await writer.append(rows.slice(0, 1200));
    await writer.append(rows.slice(1200));
    await writer.flush();
    assert.ok(writer.kept);
    const recent = new RecentResults();
    recent.keep("q", writer.kept, writer.keptChars);
    for (const start of [0, 1000, 2000, 2400])
      assert.deepEqual(recent.rows("q", start, 1000), await readRows(path, writer.offsets, start, 1000));
  });

  it("a large result is not kept; the oldest kept results go past the budget", async () => {
    const writer = new ResultWriter(join(dir, "large.jsonl"));
    const row = ["x".repeat(1000)];
    await writer.append(Array.from({ length: Math.ceil(KEEP_CHARS / 1000) + 1 }, () => row));
    await writer.flush();
    assert.equal(writer.kept, undefined);

    const recent = new RecentResults();
    const big = [["y"]];
    for (let i = 0; i < 5; i++) recent.keep(`q${i}`, big, KEEP_CHARS);
    assert.equal(recent.rows("q0", 0, 10), undefined);
    assert.deepEqual(recent.rows("q4", 0, 10), big);
    assert.deepEqual(recent.rows("q1", 0, 10), big);
    recent.forget("q1");
    assert.equal(recent.rows("q1", 0, 10), undefined);
  });
});
