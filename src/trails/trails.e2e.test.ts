import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import {
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  ListPublicKeysCommand,
  ListTrailsCommand,
  StartLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { runValidateLogs } from "../cli/validate-logs-command.js";
import { ADMIN } from "../test-support/fixtures.js";
import { cloudTrailClient, s3TestClient, startTestServer, type TestServer } from "../test-support/server.js";

const exec = promisify(execFile);
const BUCKET = "e2e-trail-logs";
const TRAIL = "E2ETrail";
const ARN = `arn:aws:cloudtrail:us-east-1:${ADMIN.accountId}:trail/${TRAIL}`;

/** The bucket policy CloudTrail documents (reference §3.5). */
const POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "AWSCloudTrailAclCheck20150319",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: `arn:aws:s3:::${BUCKET}`,
      Condition: { StringEquals: { "aws:SourceArn": ARN } },
    },
    {
      Sid: "AWSCloudTrailWrite20150319",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/${ADMIN.accountId}/*`,
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": ARN } },
    },
  ],
};

/**
 * Trails end to end through OpenTrail's port, checked by AWS's own validator: the real AWS CLI
 * (`aws cloudtrail validate-logs`, reference §4.9) reads OpenTrail's digests and log files
 * through OpenTrail's CloudTrail and S3 APIs.
 */
describe("trails end to end with aws cloudtrail validate-logs", () => {
  let server: TestServer;
  let s3: S3Client;
  const started = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const awsEnv = () => ({
    PATH: process.env.PATH ?? "",
    HOME: server.dir.path,
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: join(server.dir.path, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(server.dir.path, "no-aws-credentials"),
  });
  const awsValidate = async () => {
    try {
      const r = await exec(
        "aws",
        [
          "cloudtrail",
          "validate-logs",
          "--trail-arn",
          ARN,
          "--start-time",
          started.toISOString(),
          "--verbose",
        ],
        {
          env: awsEnv(),
          timeout: 120_000,
        },
      );
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
    }
  };
  const keys = async (prefix: string) =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map(
      (o) => o.Key as string,
    );

  before(async () => {
    server = await startTestServer({ OPENTRAIL_DELIVERY_INTERVAL: "1", OPENTRAIL_DIGEST_INTERVAL: "3" });
    s3 = s3TestClient(server.url);
  });
  after(async () => {
    await server?.stop();
  });

  test("create bucket, policy and trail; log; every digest and log file validates with the AWS CLI", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const ct = cloudTrailClient(server.url);
    await assert.rejects(ct.send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET })), {
      name: "InsufficientS3BucketPolicyException",
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(POLICY) }));
    const created = await ct.send(
      new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET, EnableLogFileValidation: true }),
    );
    assert.equal(created.TrailARN, ARN);
    assert.equal((await ct.send(new GetTrailStatusCommand({ Name: TRAIL }))).IsLogging, false);
    await ct.send(new StartLoggingCommand({ Name: TRAIL }));
    for (let i = 0; i < 5; i++) {
      await ct.send(new DescribeTrailsCommand({}));
      await ct.send(new ListTrailsCommand({}));
    }
    const key = (await ct.send(new ListPublicKeysCommand({}))).PublicKeyList?.[0];
    assert.ok(
      Buffer.from(key?.Value ?? [])
        .toString("base64")
        .startsWith("MIIBCgKCAQEA"),
    );

    // Wait for log files and two digests after them.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const logs = await keys(`AWSLogs/${ADMIN.accountId}/CloudTrail/`);
      const digests = await keys(`AWSLogs/${ADMIN.accountId}/CloudTrail-Digest/`);
      if (logs.length > 0 && digests.length >= 3) break;
      if (Date.now() > deadline) assert.fail(`no delivery: ${logs.length} logs, ${digests.length} digests`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const status = await ct.send(new GetTrailStatusCommand({ Name: TRAIL }));
    assert.ok(status.LatestDeliveryTime instanceof Date);
    assert.ok(status.LatestDigestDeliveryTime instanceof Date);
    assert.equal(status.LatestDeliveryError, undefined);

    const r = await awsValidate();
    assert.equal(r.code, 0, `aws validate-logs failed:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^Validating log files for trail /);
    assert.match(r.stdout, /Digest file\ts3:\/\/e2e-trail-logs\/AWSLogs\/.+\tvalid/);
    assert.match(r.stdout, /Log file\ts3:\/\/e2e-trail-logs\/AWSLogs\/.+\tvalid/);
    assert.match(r.stdout, /\n(\d+)\/\1 digest files valid\n(\d+)\/\2 log files valid\n$/);

    // Our own command through the SDK, same verdict.
    let out = "";
    const code = await runValidateLogs(
      { trailArn: ARN, startTime: started.toISOString(), verbose: true },
      awsEnv(),
      { stdout: (s) => (out += s), stderr: (s) => (out += s) },
    );
    assert.equal(code, 0, out);
    assert.match(out, /\n(\d+)\/\1 digest files valid\n(\d+)\/\2 log files valid\n$/);
  });

  test("after one log file is tampered with, the AWS CLI reports it INVALID and exits 1", async () => {
    // A log file some digest lists (the newest files may not be digested yet).
    const { gunzipSync, gzipSync } = await import("node:zlib");
    const listed: string[] = [];
    for (const k of await keys(`AWSLogs/${ADMIN.accountId}/CloudTrail-Digest/`)) {
      const d = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: k }));
      const digest = JSON.parse(
        gunzipSync(Buffer.from((await d.Body?.transformToByteArray()) ?? [])).toString(),
      );
      listed.push(...digest.logFiles.map((f: { s3Object: string }) => f.s3Object));
    }
    const logKey = listed[0] as string;
    assert.ok(logKey);
    const obj = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: logKey }));
    const text = gunzipSync(Buffer.from((await obj.Body?.transformToByteArray()) ?? []));
    const at = text.indexOf("DescribeTrails") + 1;
    text[at] = (text[at] as number) ^ 0x20;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: logKey, Body: gzipSync(text) }));
    const r = await awsValidate();
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(`Log file\ts3://${BUCKET}/${logKey}\tINVALID: hash value doesn't match`),
      r.stderr,
    );
    assert.match(r.stdout, /log files INVALID/);
  });
});
