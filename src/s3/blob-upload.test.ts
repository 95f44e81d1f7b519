import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { BlobFiles } from "./blob-files.js";

/** BlobFiles.begin: object files written while their bytes arrive. */
describe("BlobUpload", () => {
  let root: string;
  let blobs: BlobFiles;
  /** Files under `folder` ("tmp" or the object folders), as [name, size]. */
  const listing = (inTmp: boolean) =>
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && (d.parentPath === join(root, "tmp")) === inTmp)
      .map((d) => [d.name, statSync(join(d.parentPath, d.name)).size] as const);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "opentrail-blobs-"));
    blobs = new BlobFiles(root);
    blobs.init();
  });
  afterEach(() => {
    blobs.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("writes every byte, also those that arrive before the file is open, and commits the file", async () => {
    // The folder exists and the spares are open; the uploads past the first few take spares
    // opened just now, so they are appended to and finished while their files are still opening.
    await blobs.write(randomBytes(10));
    const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(300_000 + i * 50_000));
    const ids = await Promise.all(
      bodies.map((body) => {
        const upload = blobs.begin();
        const target = Buffer.alloc(body.length);
        for (const end of [1000, 200_000, body.length]) {
          body.copy(target, 0, 0, end);
          upload.append(target, end);
        }
        return upload.finish();
      }),
    );
    for (const [i, id] of ids.entries())
      assert.ok((await blobs.read(id, 0, bodies[i]?.length ?? 0)).equals(bodies[i] as Buffer), `body ${i}`);
    assert.equal(listing(false).length, bodies.length + 1);
    // Only the spares opened ahead are left in tmp/, empty.
    for (const [name, size] of listing(true)) assert.equal(size, 0, name);
  });

  it("abort removes the temp file once its write in flight is done, and nothing becomes an object", async () => {
    await blobs.write(randomBytes(10)); // spares are open from now on
    const kept = listing(false).length;
    const upload = blobs.begin();
    await tick();
    const body = randomBytes(1024 * 1024);
    upload.append(body, body.length);
    await upload.abort();
    await upload.abort();
    assert.equal(listing(false).length, kept);
    for (const [name, size] of listing(true)) assert.equal(size, 0, name);
    await assert.rejects(upload.finish(), /already finished or aborted/);
  });
});
