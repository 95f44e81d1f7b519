import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Sha256 } from "@aws-crypto/sha256-js";
import { ListDashboardsCommand, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { formatAmzDate } from "../protocol/sigv4.js";
import { ADMIN } from "../test-support/fixtures.js";
import { cloudTrailClient, startTestServer, type TestServer } from "../test-support/server.js";
import { cloudTrailCall, signedFetch } from "../test-support/signed-fetch.js";

async function expectAwsError(p: Promise<unknown>, name: string, status: number, message?: RegExp) {
  await assert.rejects(p, (e: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}

async function jsonError(res: Response) {
  const body = (await res.json()) as { __type: string; message: string };
  return {
    status: res.status,
    type: body.__type,
    message: body.message,
    requestId: res.headers.get("x-amzn-requestid"),
  };
}

describe("API edge", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  test("a signed call succeeds and carries a request id", async () => {
    const out = await cloudTrailClient(server.url).send(new LookupEventsCommand({}));
    assert.ok(Array.isArray(out.Events));
    assert.match(out.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
  });

  test("unknown access key: UnrecognizedClientException", async () => {
    const client = cloudTrailClient(server.url, { ...ADMIN, accessKeyId: "AKIANOSUCHKEY0000000" });
    await expectAwsError(
      client.send(new LookupEventsCommand({})),
      "UnrecognizedClientException",
      403,
      /security token/,
    );
  });

  test("wrong secret: InvalidSignatureException", async () => {
    const client = cloudTrailClient(server.url, { ...ADMIN, secretAccessKey: "wrong" });
    await expectAwsError(
      client.send(new LookupEventsCommand({})),
      "InvalidSignatureException",
      403,
      /signature/,
    );
  });

  test("request signed 10 minutes ago: Signature expired", async () => {
    const res = await cloudTrailCall(server.url, "LookupEvents", "{}", {
      signingDate: new Date(Date.now() - 600_000),
    });
    const e = await jsonError(res);
    assert.equal(e.status, 403);
    assert.equal(e.type, "InvalidSignatureException");
    assert.match(e.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
  });

  test("no Authorization: MissingAuthenticationTokenException", async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "CloudTrail_20131101.LookupEvents",
      },
      body: "{}",
    });
    const e = await jsonError(res);
    assert.deepEqual([e.status, e.type], [403, "MissingAuthenticationTokenException"]);
  });

  test("unknown operation: UnknownOperationException", async () => {
    const e = await jsonError(await cloudTrailCall(server.url, "StealAllTheLogs", "{}"));
    assert.deepEqual([e.status, e.type], [400, "UnknownOperationException"]);
  });

  test("malformed JSON: SerializationException", async () => {
    const e = await jsonError(await cloudTrailCall(server.url, "LookupEvents", "{not json"));
    assert.deepEqual([e.status, e.type], [400, "SerializationException"]);
  });

  test("wrong field type: SerializationException", async () => {
    const e = await jsonError(await cloudTrailCall(server.url, "LookupEvents", '{"MaxResults":"ten"}'));
    assert.deepEqual([e.status, e.type], [400, "SerializationException"]);
    assert.match(e.message, /maxResults/);
  });

  test("missing required field: ValidationException in AWS's wording", async () => {
    const e = await jsonError(await cloudTrailCall(server.url, "GetTrail", "{}"));
    assert.deepEqual([e.status, e.type], [400, "ValidationException"]);
    assert.equal(
      e.message,
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  });

  test("oversized body: 413 RequestEntityTooLargeException", async () => {
    const big = JSON.stringify({ NextToken: "x".repeat(2 * 1024 * 1024) });
    const e = await jsonError(await cloudTrailCall(server.url, "LookupEvents", big));
    assert.deepEqual([e.status, e.type], [413, "RequestEntityTooLargeException"]);
  });

  test("operation not implemented yet: 501 UnsupportedOperationException", async () => {
    await expectAwsError(
      cloudTrailClient(server.url).send(new ListDashboardsCommand({})),
      "UnsupportedOperationException",
      501,
    );
  });

  test("request for a service OpenTrail does not serve", async () => {
    const res = await signedFetch(server.url, {
      service: "kinesis",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "Kinesis_20131202.ListStreams",
      },
      body: "{}",
    });
    const e = await jsonError(res);
    assert.equal(e.status, 400);
    assert.equal(e.type, "UnknownServiceException");
  });

  test("health endpoint", async () => {
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string };
    assert.equal(body.status, "ok");
  });
  test("S3: a request signed 20 minutes ago is RequestTimeTooSkewed, and the S3 SDK corrects its clock from it", async () => {
    const signingDate = new Date(Date.now() - 20 * 60_000);
    const res = await signedFetch(server.url, { service: "s3", method: "GET", path: "/", signingDate });
    const xml = await res.text();
    assert.equal(res.status, 403);
    assert.match(xml, /<Code>RequestTimeTooSkewed<\/Code>/);
    assert.match(
      xml,
      /<Message>The difference between the request time and the current time is too large.<\/Message>/,
    );
    assert.match(xml, new RegExp(`<RequestTime>${formatAmzDate(signingDate)}</RequestTime>`));
    assert.match(xml, /<ServerTime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/ServerTime>/);
    assert.match(xml, /<MaxAllowedSkewMilliseconds>900000<\/MaxAllowedSkewMilliseconds>/);

    // The S3 client reads the server's time from the answer and corrects its clock: its next
    // call succeeds.
    const client = new S3Client({
      endpoint: server.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: ADMIN,
      maxAttempts: 1,
      systemClockOffset: -20 * 60_000,
    });
    await expectAwsError(client.send(new ListBucketsCommand({})), "RequestTimeTooSkewed", 403);
    assert.ok(Math.abs(client.config.systemClockOffset ?? Number.NaN) < 60_000);
    const listed = await client.send(new ListBucketsCommand({}));
    assert.equal(listed.$metadata.httpStatusCode, 200);
  });

  test("S3: a presigned URL past its X-Amz-Expires is AccessDenied, Request has expired", async () => {
    const signer = new SignatureV4({
      credentials: ADMIN,
      region: "us-east-1",
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
    });
    const url = new URL("/some-bucket/some-key", server.url);
    const signingDate = new Date(Date.now() - 10 * 60_000);
    const presigned = await signer.presign(
      new HttpRequest({
        method: "GET",
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { host: url.host },
      }),
      { signingDate, expiresIn: 60 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>);
    const res = await fetch(`${url.href}?${query}`);
    const xml = await res.text();
    assert.equal(res.status, 403);
    assert.match(xml, /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    assert.match(xml, /<X-Amz-Expires>60<\/X-Amz-Expires>/);
    const expires = new Date(Math.floor(signingDate.getTime() / 1000) * 1000 + 60_000);
    assert.match(xml, new RegExp(`<Expires>${expires.toISOString().replace(/\.\d{3}Z$/, "Z")}</Expires>`));
  });
});
