import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { sourceIPAddress, trustedProxies } from "../server/client-address.js";
import type { RawRequest } from "../server/raw-http.js";
import { BodyMeter } from "./body-streams.js";
import { recognize } from "./recognize.js";
import { ServiceModels } from "./service-models.js";
import { classify, eventSourceFor, rulesFor } from "./service-rules.js";
import { parseUpstreamError } from "./upstream-error.js";
import { readInput, readOutput } from "./wire-values.js";

const models = new ServiceModels();

function req(method: string, path: string, headers: Record<string, string> = {}, body = ""): RawRequest {
  const [rawPath = "/", query = ""] = path.split("?");
  return { method, rawPath, query: new URLSearchParams(query), headers, body: Buffer.from(body) };
}

const s3 = (method: string, path: string, headers: Record<string, string> = {}) =>
  recognize(models.forSigningName("s3"), req(method, path, headers))?.operation;

describe("operation recognition from AWS's models", () => {
  test("models are indexed by signing name, primary service first", () => {
    assert.equal(models.forSigningName("s3")[0]?.metadata.serviceId, "S3");
    assert.ok(models.forSigningName("dynamodb").some((m) => m.metadata.targetPrefix === "DynamoDB_20120810"));
    assert.ok(
      models.forSigningName("dynamodb").some((m) => m.metadata.endpointPrefix === "streams.dynamodb"),
    );
    assert.equal(models.has("no-such-service"), false);
  });

  test("S3 (REST-XML): method, URI template, query literals, required query members and headers", () => {
    const table: Array<[string, string, Record<string, string>, string]> = [
      ["GET", "/", {}, "ListBuckets"],
      ["PUT", "/b", {}, "CreateBucket"],
      ["GET", "/b", {}, "ListObjects"],
      ["GET", "/b/", {}, "ListObjects"],
      ["GET", "/b?list-type=2&prefix=x", {}, "ListObjectsV2"],
      ["GET", "/b?location", {}, "GetBucketLocation"],
      ["PUT", "/b/k/with/slashes", {}, "PutObject"],
      ["PUT", "/b/k", { "x-amz-copy-source": "/a/b" }, "CopyObject"],
      ["PUT", "/b/k?partNumber=1&uploadId=u", {}, "UploadPart"],
      ["PUT", "/b/k?partNumber=1&uploadId=u", { "x-amz-copy-source": "/a/b" }, "UploadPartCopy"],
      ["POST", "/b/k?uploads", {}, "CreateMultipartUpload"],
      ["POST", "/b/k?uploadId=u", {}, "CompleteMultipartUpload"],
      ["POST", "/b?delete", {}, "DeleteObjects"],
      ["HEAD", "/b/k", {}, "HeadObject"],
      ["GET", "/b/k?acl", {}, "GetObjectAcl"],
      ["DELETE", "/b/k", {}, "DeleteObject"],
    ];
    for (const [method, path, headers, op] of table)
      assert.equal(s3(method, path, headers), op, `${method} ${path}`);
  });

  test("S3 bucket-in-host: the bucket comes from Host", () => {
    const r = recognize(
      models.forSigningName("s3"),
      req("GET", "/dir/k.txt", { host: "my-bucket.s3.us-east-1.amazonaws.com" }),
    );
    assert.equal(r?.operation, "GetObject");
    assert.equal(r?.hostBucket, "my-bucket");
    const input = r ? readInput(r, new URLSearchParams(), {}, undefined) : {};
    assert.deepEqual([input.Bucket, input.Key], ["my-bucket", "dir/k.txt"]);
    assert.equal(s3("GET", "/", { host: "bkt.localhost:4580" }), "ListObjects");
  });

  test("JSON 1.0/1.1 by X-Amz-Target, query by Action (query string or form body)", () => {
    const ddb = recognize(
      models.forSigningName("dynamodb"),
      req("POST", "/", { "x-amz-target": "DynamoDB_20120810.PutItem" }),
    );
    assert.equal(ddb?.operation, "PutItem");
    const streams = recognize(
      models.forSigningName("dynamodb"),
      req("POST", "/", { "x-amz-target": "DynamoDBStreams_20120810.GetRecords" }),
    );
    assert.equal(streams?.model.metadata.endpointPrefix, "streams.dynamodb");
    assert.equal(
      recognize(
        models.forSigningName("dynamodb"),
        req("POST", "/", { "x-amz-target": "DynamoDB_20120810.Nope" }),
      ),
      undefined,
    );
    const form = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
    assert.equal(
      recognize(models.forSigningName("sns"), req("POST", "/", form, "Action=Publish&TopicArn=t"))?.operation,
      "Publish",
    );
    assert.equal(
      recognize(models.forSigningName("monitoring"), req("GET", "/?Action=DescribeAlarms"))?.operation,
      "DescribeAlarms",
    );
    assert.equal(
      recognize(
        models.forSigningName("ec2"),
        req("POST", "/", form, "Action=RunInstances&Version=2016-11-15"),
      )?.operation,
      "RunInstances",
    );
  });

  test("REST-JSON (Lambda Invoke): URI labels become input members", () => {
    const r = recognize(
      models.forSigningName("lambda"),
      req("POST", "/2015-03-31/functions/my-fn/invocations"),
    );
    assert.equal(r?.operation, "Invoke");
    const input = r
      ? readInput(r, new URLSearchParams(), { "x-amz-invocation-type": "Event" }, Buffer.from("{}"))
      : {};
    assert.equal(input.FunctionName, "my-fn");
    assert.equal(input.InvocationType, "Event");
  });

  test("classification and event sources", () => {
    const ddb = rulesFor("dynamodb");
    assert.deepEqual(classify(ddb, "BatchGetItem"), {
      eventName: "BatchGetItem",
      readOnly: true,
      category: "Data",
    });
    assert.deepEqual(classify(ddb, "CreateTable"), {
      eventName: "CreateTable",
      readOnly: false,
      category: "Management",
    });
    assert.deepEqual(classify(rulesFor("s3"), "ListObjectsV2"), {
      eventName: "ListObjects",
      readOnly: true,
      category: "Data",
    });
    assert.equal(classify(rulesFor("lambda"), "Invoke").category, "Data");
    assert.equal(classify(rulesFor("lambda"), "GetFunction").eventName, "GetFunction20150331v2");
    assert.equal(classify(rulesFor("sqs"), "ReceiveMessage").readOnly, true);
    assert.equal(eventSourceFor("monitoring", rulesFor("monitoring")), "monitoring.amazonaws.com");
    assert.equal(eventSourceFor("streams.dynamodb", rulesFor("streams.dynamodb")), "dynamodb.amazonaws.com");
    assert.equal(eventSourceFor("email", rulesFor("email")), "ses.amazonaws.com");
  });

  test("query responses are read through the output shape", () => {
    const r = recognize(models.forSigningName("sns"), req("GET", "/?Action=CreateTopic&Name=t"));
    assert.ok(r);
    const xml = `<CreateTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:1:t</TopicArn></CreateTopicResult></CreateTopicResponse>`;
    assert.deepEqual(readOutput(r, {}, Buffer.from(xml)), { TopicArn: "arn:aws:sns:us-east-1:1:t" });
  });
});

describe("upstream error responses", () => {
  const table: Array<[number, Record<string, string>, string, string, string]> = [
    [
      400,
      {},
      '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"gone"}',
      "ResourceNotFoundException",
      "gone",
    ],
    [
      400,
      {},
      '{"__type":"ValidationException:http://internal","Message":"bad"}',
      "ValidationException",
      "bad",
    ],
    [
      404,
      { "x-amzn-errortype": "ResourceNotFoundException:http://x" },
      '{"Message":"nf"}',
      "ResourceNotFoundException",
      "nf",
    ],
    [
      400,
      {},
      "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>m</Message></Error></ErrorResponse>",
      "InvalidParameterValue",
      "m",
    ],
    [
      400,
      {},
      "<Response><Errors><Error><Code>InvalidInstanceID.Malformed</Code><Message>e</Message></Error></Errors></Response>",
      "InvalidInstanceID.Malformed",
      "e",
    ],
    [
      404,
      {},
      "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
      "NoSuchKey",
      "The specified key does not exist.",
    ],
    [404, {}, "", "NotFound", ""],
    [418, {}, "teapot", "Http418", ""],
  ];
  for (const [status, headers, body, code, message] of table) {
    test(`${status} ${body.slice(0, 30) || "(empty)"} → ${code}`, () => {
      assert.deepEqual(parseUpstreamError(status, headers, Buffer.from(body)), { code, message });
    });
  }
});

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("streaming bodies", () => {
  test("BodyMeter passes a body whose hash matches and counts it", async () => {
    const body = Buffer.from("a".repeat(100_000));
    const meter = new BodyMeter(createHash("sha256").update(body).digest("hex"));
    assert.deepEqual(
      await drain(Readable.from([body.subarray(0, 40_000), body.subarray(40_000)]).pipe(meter)),
      body,
    );
    assert.equal(meter.bytes, body.length);
  });

  test("BodyMeter withholds the last chunk of a body whose hash does not match", async () => {
    const meter = new BodyMeter("0".repeat(64));
    const seen: Buffer[] = [];
    meter.on("data", (c: Buffer) => seen.push(c));
    const done = new Promise<Error>((resolve) => meter.on("error", resolve));
    meter.write(Buffer.from("first"));
    meter.end(Buffer.from("last"));
    assert.match((await done).message, /does not match/);
    assert.deepEqual(Buffer.concat(seen).toString(), "first");
  });
});

describe("sourceIPAddress and trusted proxies", () => {
  const from = (remoteAddress: string, xff?: string) =>
    ({
      socket: { remoteAddress },
      headers: xff ? { "x-forwarded-for": xff } : {},
    }) as unknown as IncomingMessage;
  const trusted = trustedProxies(["10.0.0.0/8", "::1"]);

  test("without trusted proxies, X-Forwarded-For is ignored", () => {
    assert.equal(sourceIPAddress(from("::ffff:192.0.2.1", "203.0.113.9")), "192.0.2.1");
  });
  test("from a trusted proxy, the right-most untrusted hop is the caller", () => {
    assert.equal(
      sourceIPAddress(from("10.1.2.3", "198.51.100.1, 203.0.113.9, 10.0.0.5"), trusted),
      "203.0.113.9",
    );
    assert.equal(sourceIPAddress(from("::1", "203.0.113.9"), trusted), "203.0.113.9");
  });
  test("from an untrusted peer, X-Forwarded-For is ignored even with proxies configured", () => {
    assert.equal(sourceIPAddress(from("192.0.2.1", "10.0.0.1"), trusted), "192.0.2.1");
  });
  test("garbage in X-Forwarded-For is skipped", () => {
    assert.equal(sourceIPAddress(from("10.0.0.2", "not-an-ip"), trusted), "10.0.0.2");
  });
});
