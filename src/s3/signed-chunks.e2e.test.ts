import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import {
  CHUNK_ALTERATIONS,
  type ChunkedMode,
  type ChunkedUpload,
  chunkedBody,
  chunkedUpload,
} from "../protocol/sigv4-chunks-test-kit.js";
import { ADMIN } from "../test-support/fixtures.js";
import { eventByRequestId } from "../test-support/log-events.js";
import { s3TestClient as s3, startTestServer, type TestServer } from "../test-support/server.js";

/**
 * aws-chunked uploads with SigV4 chunk signatures through OpenTrail's port: the seed signature
 * is verified by the edge, every chunk and trailer signature by the store as it decodes the
 * body. A body altered after signing is S3's SignatureDoesNotMatch, nothing is stored, and the
 * refused call is recorded. The signed bodies come from the test kit (no installed client sends
 * them); the unsigned ones are also what @aws-sdk/client-s3 sends.
 */
const BUCKET = "chunked";
const KB = 1024;
const S3_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

describe("signed aws-chunked uploads", () => {
  let server: TestServer;
  const objectsDir = () => join(server.dir.path, "data", "s3", "objects");
  const files = () =>
    readdirSync(objectsDir(), { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;

  before(async () => {
    server = await startTestServer();
    const client = s3(server.url);
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await client.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } }),
    );
  });
  after(async () => {
    await server?.stop();
  });

  /** A 200 KB + 123 B object in 64 KB chunks: four data chunks and the final one. */
  function upload(key: string, mode: ChunkedMode, data = randomBytes(200 * KB + 123)) {
    return chunkedUpload({
      url: server.url,
      path: `/${BUCKET}/${key}`,
      data,
      chunkSize: 64 * KB,
      mode,
      credentials: ADMIN,
    });
  }

  async function send(u: ChunkedUpload, key: string, body = chunkedBody(u)) {
    const res = await fetch(`${server.url}/${BUCKET}/${key}`, { method: "PUT", headers: u.headers, body });
    return {
      status: res.status,
      requestId: res.headers.get("x-amz-request-id") ?? undefined,
      text: await res.text(),
    };
  }

  async function read(key: string): Promise<{ body?: Buffer; checksum?: string; error?: string }> {
    try {
      const got = await s3(server.url).send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }),
      );
      return {
        body: Buffer.from((await got.Body?.transformToByteArray()) ?? []),
        checksum: got.ChecksumCRC32,
      };
    } catch (e) {
      return { error: (e as Error).name };
    }
  }

  for (const mode of ["signed", "signed-trailer", "unsigned-trailer"] as const) {
    test(`${mode}: a multi-chunk upload round-trips byte-exact`, async () => {
      const data = randomBytes(200 * KB + 123);
      const u = await upload(`ok-${mode}`, mode, data);
      assert.equal(u.chunks.length, 5);
      const res = await send(u, `ok-${mode}`);
      assert.equal(res.status, 200, res.text);
      const got = await read(`ok-${mode}`);
      assert.ok(got.body?.equals(data), "the stored bytes are the decoded chunks");
      if (mode !== "signed") assert.ok(u.trailer.toString().includes(`crc32:${got.checksum}\r\n`));
    });
  }

  for (const [name, mode, alter] of CHUNK_ALTERATIONS) {
    test(`${mode}: ${name} is SignatureDoesNotMatch; nothing is stored; the refusal is recorded`, async () => {
      const key = `tampered-${name.replace(/\W+/g, "-")}`;
      // An earlier version of the key: the refused upload must not add one.
      const before = randomBytes(100);
      await s3(server.url).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: before }));
      const filesBefore = files();

      const u = await upload(key, mode);
      const res = await send(u, key, alter(u));
      assert.equal(res.status, 403, res.text);
      assert.match(res.text, /<Code>SignatureDoesNotMatch<\/Code>/);
      assert.ok(res.text.includes(`<Message>${S3_MISMATCH}</Message>`), res.text);

      assert.ok((await read(key)).body?.equals(before), "the object is the earlier version");
      const versions = await s3(server.url).send(
        new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: key }),
      );
      assert.equal(versions.Versions?.length, 1, "no version added");
      assert.equal(files(), filesBefore, "no blob or temp file left behind");

      const ev = eventByRequestId(server.app.log, res.requestId);
      assert.equal(ev.eventName, "PutObject");
      assert.equal(ev.eventCategory, "Data");
      assert.equal(ev.errorCode, "SignatureDoesNotMatch");
      assert.equal(ev.errorMessage, S3_MISMATCH);
      assert.equal(ev.requestParameters?.key, key);
    });
  }

  test("the same upload unaltered is stored: the alterations alone were refused", async () => {
    const data = randomBytes(200 * KB + 123);
    for (const mode of ["signed", "signed-trailer"] as const) {
      const u = await upload(`control-${mode}`, mode, data);
      const res = await send(u, `control-${mode}`);
      assert.equal(res.status, 200, res.text);
      assert.ok((await read(`control-${mode}`)).body?.equals(data));
    }
  });

  test("a signed body replayed under another key's seed signature is refused", async () => {
    const a = await upload("replay-a", "signed");
    const b = await upload("replay-b", "signed");
    // b's head (its seed signature) with a's chunks, signed for a's seed.
    const res = await send(b, "replay-b", chunkedBody(a));
    assert.equal(res.status, 403, res.text);
    assert.match(res.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.equal((await read("replay-b")).error, "NoSuchKey");
  });
});
