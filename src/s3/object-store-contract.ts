import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { it } from "node:test";
import type { ObjectStore } from "./object-store.js";

/**
 * The ObjectStore contract: every implementation (built-in, external S3 via the SDK) runs it.
 * `store()` returns a store whose `bucket` exists and is empty at the start of the suite.
 */
export function objectStoreContract(store: () => ObjectStore, bucket: string): void {
  it("putObject / getObject round-trip bytes, metadata and content headers", async () => {
    const body = randomBytes(70_000);
    const { etag } = await store().putObject(bucket, "AWSLogs/1/a.json.gz", body, {
      metadata: { signature: "deadbeef", "signature-algorithm": "SHA256withRSA" },
      contentType: "application/json",
      contentEncoding: "gzip",
    });
    assert.match(etag, /^[0-9a-f]{32}$/);
    const got = await store().getObject(bucket, "AWSLogs/1/a.json.gz");
    assert.ok(got);
    assert.ok(got.body.equals(body));
    assert.equal(got.etag, etag);
    assert.equal(got.size, body.length);
    assert.deepEqual(got.metadata, { signature: "deadbeef", "signature-algorithm": "SHA256withRSA" });
    assert.equal(got.contentType, "application/json");
    assert.equal(got.contentEncoding, "gzip");
  });

  it("getObject of a missing key is undefined", async () => {
    assert.equal(await store().getObject(bucket, "nope"), undefined);
  });

  it("headBucket tells whether the bucket exists", async () => {
    assert.equal((await store().headBucket(bucket)).exists, true);
    assert.equal((await store().headBucket("no-such-bucket-here")).exists, false);
  });

  it("listObjects walks a prefix in UTF-8 order, after startAfter, across pages (page size 7)", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `list/${String(i).padStart(4, "0")}`);
    keys.push("list/é", "list/z", "other/x");
    for (const k of keys) await store().putObject(bucket, k, Buffer.from(k));
    const listed: string[] = [];
    for await (const o of store().listObjects(bucket, "list/")) listed.push(o.key);
    assert.equal(listed.length, 22);
    assert.deepEqual(listed.slice(-3), ["list/0019", "list/z", "list/é"]);
    const after: string[] = [];
    for await (const o of store().listObjects(bucket, "list/", "list/0018")) after.push(o.key);
    assert.deepEqual(after, ["list/0019", "list/z", "list/é"]);
    for await (const o of store().listObjects(bucket, "other/")) {
      assert.equal(o.size, 7);
      assert.match(o.etag, /^[0-9a-f]{32}$/);
    }
  });

  it("deleteObject removes the current object and tolerates a missing one", async () => {
    await store().putObject(bucket, "gone", Buffer.from("x"));
    await store().deleteObject(bucket, "gone");
    assert.equal(await store().getObject(bucket, "gone"), undefined);
    await store().deleteObject(bucket, "gone");
  });
}
