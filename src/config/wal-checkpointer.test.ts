import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../test-support/fixtures.js";
import { openSqliteFile } from "./sqlite-file.js";
import { walCheckpointer } from "./wal-checkpointer.js";

test("WAL checkpoints run on the checkpointer's thread, not in the commit that fills the WAL", async () => {
  const dir = tempDir("opentrail-wal-");
  const path = join(dir.path, "t.db");
  const db = openSqliteFile(path, { synchronous: "NORMAL", schema: "CREATE TABLE t (v BLOB)" });
  try {
    assert.ok(walCheckpointer.has(path));
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const blob = Buffer.alloc(64 * 1024, 7);
    // Past SQLite's default autocheckpoint (1,000 pages, 4 MiB), in many commits.
    for (let i = 0; i < 120; i++) insert.run(blob);
    assert.ok(statSync(`${path}-wal`).size >= 4 * 1024 * 1024);
    assert.ok(statSync(path).size < 1024 * 1024, "no commit checkpointed on this thread");
    walCheckpointer.tick();
    for (let i = 0; i < 200 && !walCheckpointer.done.get(path); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(walCheckpointer.done.get(path), 1);
    assert.ok(statSync(path).size >= 120 * blob.length, "the worker copied the WAL into the database");
    assert.equal(db.prepare("SELECT count(*) FROM t").pluck().get(), 120);
    // Nothing written since: nothing to do. A few rows are not worth a checkpoint either.
    walCheckpointer.tick();
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 3; i++) insert.run(Buffer.alloc(100));
    walCheckpointer.tick();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(walCheckpointer.done.get(path), 1);
  } finally {
    db.close();
    dir.remove();
  }
  assert.equal(walCheckpointer.has(path), false, "closing the connection ends its checkpoints");
});
