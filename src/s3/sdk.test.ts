import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Agent } from "node:http";
import { after, before, describe, it } from "node:test";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { type Fixture, makeFixture, OWNER, startAdapter } from "./test-support.js";

function loopback(_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void): void {
  if (opts.all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
  else cb(null, "127.0.0.1", 4);
}

/** The official JS SDK v3 (default flexible checksums, aws-chunked bodies) against handle(). */
describe("@aws-sdk/client-s3 against the built-in store", () => {
  let fx: Fixture;
  let adapter: Awaited<ReturnType<typeof startAdapter>>;
  let s3: S3Client;
  before(async () => {
    fx = makeFixture();
    adapter = await startAdapter(fx.service, () => OWNER);
    s3 = new S3Client({
      endpoint: adapter.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
    });
    await s3.send(new CreateBucketCommand({ Bucket: "sdk-bucket" }));
  });
  after(async () => {
    s3?.destroy();
    await adapter?.close();
    await fx?.close();
  });

  it("round-trips bytes and metadata exactly (aws-chunked + CRC32 trailer)", async () => {
    const body = randomBytes(300_000);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: "sdk-bucket",
        Key: "dir/a b+c.bin",
        Body: body,
        Metadata: { signature: "abc" },
        ContentType: "application/x-test",
      }),
    );
    assert.ok(put.ETag);
    const got = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c.bin" }));
    assert.deepEqual(
      Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
      body,
    );
    assert.equal(got.Metadata?.signature, "abc");
    assert.equal(got.ContentType, "application/x-test");
    assert.equal(got.ETag, put.ETag);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c.bin" }));
    assert.equal(head.ContentLength, body.length);
    const events = fx.sink.named("PutObject");
    assert.equal(events.at(-1)?.eventCategory, "Data");
  });

  it("serves ranges", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "range", Body: "0123456789" }));
    const got = await s3.send(
      new GetObjectCommand({ Bucket: "sdk-bucket", Key: "range", Range: "bytes=2-4" }),
    );
    assert.equal(await got.Body?.transformToString(), "234");
    assert.equal(got.ContentRange, "bytes 2-4/10");
  });

  it("lists v1 and v2 with prefixes, delimiters and pagination", async () => {
    for (const k of ["l/a", "l/b/1", "l/b/2", "l/c", "l/d/1"]) {
      await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: k, Body: k }));
    }
    const v2 = await s3.send(
      new ListObjectsV2Command({ Bucket: "sdk-bucket", Prefix: "l/", Delimiter: "/", MaxKeys: 2 }),
    );
    assert.deepEqual(
      v2.Contents?.map((c) => c.Key),
      ["l/a"],
    );
    assert.deepEqual(
      v2.CommonPrefixes?.map((c) => c.Prefix),
      ["l/b/"],
    );
    assert.equal(v2.IsTruncated, true);
    const rest = await s3.send(
      new ListObjectsV2Command({
        Bucket: "sdk-bucket",
        Prefix: "l/",
        Delimiter: "/",
        ContinuationToken: v2.NextContinuationToken,
      }),
    );
    assert.deepEqual(
      rest.Contents?.map((c) => c.Key),
      ["l/c"],
    );
    assert.deepEqual(
      rest.CommonPrefixes?.map((c) => c.Prefix),
      ["l/d/"],
    );
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: "sdk-bucket", Prefix: "l/", Marker: "l/b/1" }));
    assert.deepEqual(
      v1.Contents?.map((c) => c.Key),
      ["l/b/2", "l/c", "l/d/1"],
    );
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: "sdk-bucket", Prefix: "l/", StartAfter: "l/c" }),
    );
    assert.deepEqual(
      after.Contents?.map((c) => c.Key),
      ["l/d/1"],
    );
  });

  it("copies, deletes in batch, and keeps versions", async () => {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: "sdk-bucket",
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const v1 = await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "v", Body: "one" }));
    await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "v", Body: "two" }));
    await s3.send(new CopyObjectCommand({ Bucket: "sdk-bucket", Key: "v-copy", CopySource: "sdk-bucket/v" }));
    assert.equal(
      await (
        await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "v-copy" }))
      ).Body?.transformToString(),
      "two",
    );
    const old = await s3.send(
      new GetObjectCommand({ Bucket: "sdk-bucket", Key: "v", VersionId: v1.VersionId }),
    );
    assert.equal(await old.Body?.transformToString(), "one");
    const del = await s3.send(new DeleteObjectCommand({ Bucket: "sdk-bucket", Key: "v" }));
    assert.equal(del.DeleteMarker, true);
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "v" })), {
      name: "NoSuchKey",
    });
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "sdk-bucket", Prefix: "v" }));
    assert.equal(versions.Versions?.filter((x) => x.Key === "v").length, 2);
    assert.equal(versions.DeleteMarkers?.length, 1);
    const batch = await s3.send(
      new DeleteObjectsCommand({
        Bucket: "sdk-bucket",
        Delete: { Objects: [{ Key: "range" }, { Key: "v-copy" }] },
      }),
    );
    assert.equal(batch.Deleted?.length, 2);
    assert.equal(fx.sink.named("DeleteObjects").at(-1)?.eventCategory, "Data");
  });

  it("works virtual-host style (<bucket>.localhost)", async () => {
    const port = new URL(adapter.url).port;
    const vh = new S3Client({
      endpoint: `http://localhost:${port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
      // <bucket>.localhost may not resolve on this machine; the Host header is what matters.
      requestHandler: { httpAgent: new Agent({ lookup: loopback as never }) },
    });
    try {
      await vh.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "vh/key", Body: "hosted" }));
      const got = await vh.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "vh/key" }));
      assert.equal(await got.Body?.transformToString(), "hosted");
      assert.equal(
        fx.sink.named("GetObject").at(-1)?.requestParameters?.Host,
        `sdk-bucket.localhost:${port}`,
      );
    } finally {
      vh.destroy();
    }
  });
});
