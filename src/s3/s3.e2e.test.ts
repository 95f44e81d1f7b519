import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { Sha256 } from "@aws-crypto/sha256-js";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { ADMIN, OTHER } from "../test-support/fixtures.js";
import { eventByRequestId, logEvents } from "../test-support/log-events.js";
import { s3TestClient as s3, startTestServer, type TestServer } from "../test-support/server.js";

const run = promisify(execFile);

/** A PutObject signed for `signedBody`'s SHA-256 (hex x-amz-content-sha256) that sends `body`. */
async function signedPut(url: string, path: string, signedBody: Buffer, body: Buffer) {
  const { hostname, port } = new URL(url);
  const signed = await new SignatureV4({
    credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey },
    region: "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  }).sign(
    new HttpRequest({
      method: "PUT",
      protocol: "http:",
      hostname,
      port: Number(port),
      path,
      headers: {
        host: `${hostname}:${port}`,
        "content-length": String(body.length),
        "x-amz-content-sha256": createHash("sha256").update(signedBody).digest("hex"),
      },
    }),
  );
  const headers = Object.assign({}, signed.headers);
  // fetch sets both itself, to the values signed here.
  delete headers.host;
  delete headers["content-length"];
  const res = await fetch(`${url}${path}`, { method: "PUT", headers, body });
  return { status: res.status, text: await res.text() };
}

/** The built-in store through the real edge: SigV4 verified, calls recorded with the caller. */
describe("S3 through OpenTrail's port", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  test("SDK round trip; object calls are data events of the verified caller", async () => {
    const client = s3(server.url);
    await client.send(new CreateBucketCommand({ Bucket: "e2e-bucket" }));
    const body = randomBytes(300_000);
    const put = await client.send(new PutObjectCommand({ Bucket: "e2e-bucket", Key: "a/b.bin", Body: body }));
    const got = await client.send(new GetObjectCommand({ Bucket: "e2e-bucket", Key: "a/b.bin" }));
    assert.deepEqual(Buffer.from((await got.Body?.transformToByteArray()) ?? []), body);

    const ev = eventByRequestId(server.app.log, put.$metadata.requestId);
    assert.equal(ev.eventSource, "s3.amazonaws.com");
    assert.equal(ev.eventName, "PutObject");
    assert.equal(ev.eventCategory, "Data");
    assert.equal(ev.managementEvent, false);
    assert.equal(ev.userIdentity?.arn, `arn:aws:iam::${ADMIN.accountId}:user/${ADMIN.userName}`);
    assert.deepEqual(
      ev.resources?.map((r) => r.ARN),
      ["arn:aws:s3:::e2e-bucket/a/b.bin", "arn:aws:s3:::e2e-bucket"],
    );
    const create = logEvents(server.app.log).find((e) => e.eventName === "CreateBucket");
    assert.equal(create?.eventCategory, "Management");
  });

  test("a streamed PutObject is checked against its signed payload hash", async () => {
    const body = randomBytes(1024 * 1024);
    const ok = await signedPut(server.url, "/e2e-bucket/signed.bin", body, body);
    assert.equal(ok.status, 200, ok.text);
    const got = await s3(server.url).send(new GetObjectCommand({ Bucket: "e2e-bucket", Key: "signed.bin" }));
    assert.deepEqual(Buffer.from((await got.Body?.transformToByteArray()) ?? []), body);

    const other = randomBytes(body.length);
    const bad = await signedPut(server.url, "/e2e-bucket/tampered.bin", body, other);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /<Code>XAmzContentSHA256Mismatch<\/Code>/);
    const missing = await s3(server.url)
      .send(new GetObjectCommand({ Bucket: "e2e-bucket", Key: "tampered.bin" }))
      .catch((e) => e);
    assert.equal(missing.name, "NoSuchKey");
  });

  test("another account is denied without a bucket policy, and the denial is recorded", async () => {
    const err = await s3(server.url, OTHER)
      .send(new GetObjectCommand({ Bucket: "e2e-bucket", Key: "a/b.bin" }))
      .catch((e) => e);
    assert.equal(err.name, "AccessDenied");
    assert.equal(err.$metadata.httpStatusCode, 403);
    const ev = logEvents(server.app.log).findLast((e) => e.errorCode === "AccessDenied");
    assert.equal(ev?.userIdentity?.accountId, OTHER.accountId);
  });

  test("a bad signature gets S3's SignatureDoesNotMatch", async () => {
    const err = await s3(server.url, { ...ADMIN, secretAccessKey: "nope" })
      .send(new GetObjectCommand({ Bucket: "e2e-bucket", Key: "a/b.bin" }))
      .catch((e) => e);
    assert.equal(err.name, "SignatureDoesNotMatch");
    assert.equal(
      err.message,
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
    assert.equal(err.$metadata.httpStatusCode, 403);
  });

  test("the AWS CLI: mb, cp up and down byte-exact (multipart), ls", { timeout: 120_000 }, async () => {
    const env = {
      ...process.env,
      AWS_CONFIG_FILE: join(server.dir.path, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(server.dir.path, "no-credentials"),
      AWS_ENDPOINT_URL: server.url,
      AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
    };
    const aws = (...args: string[]) => run("aws", args, { env, maxBuffer: 1 << 24 });
    await aws("s3", "mb", "s3://cli-e2e");
    const file = join(server.dir.path, "big.bin");
    const back = join(server.dir.path, "back.bin");
    writeFileSync(file, randomBytes(9 * 1024 * 1024));
    await aws("s3", "cp", file, "s3://cli-e2e/logs/big.bin");
    await aws("s3", "cp", "s3://cli-e2e/logs/big.bin", back);
    assert.deepEqual(readFileSync(back), readFileSync(file));
    const { stdout } = await aws("s3", "ls", "--recursive", "s3://cli-e2e");
    assert.match(stdout, /9437184 logs\/big\.bin/);
    const multipart = logEvents(server.app.log).filter((e) => e.eventName === "CompleteMultipartUpload");
    assert.equal(multipart.length, 1);
    assert.match(multipart[0]?.userAgent ?? "", /aws-cli/);
  });
});
