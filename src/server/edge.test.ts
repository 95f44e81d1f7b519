import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ListDashboardsCommand, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
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
});
