import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import {
  CreateTrailCommand,
  LookupEventsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
} from "@aws-sdk/client-kinesis";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { ADMIN } from "../test-support/fixtures.js";
import { eventByRequestId, logEvents } from "../test-support/log-events.js";
import { cloudTrailClient, startTestServer, type TestServer } from "../test-support/server.js";
import { signedFetch } from "../test-support/signed-fetch.js";
import { signedRequest } from "./test-requests.js";
import {
  type RunningUpstream,
  S3RVER_KEYS,
  startDynalite,
  startKinesalite,
  startS3rver,
  startSqslite,
} from "./test-upstreams.js";

const exec = promisify(execFile);
const creds = { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey };
const TABLE = "gateway-table";
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ADMIN.accountId}:table/${TABLE}`;

/**
 * Real clients through OpenTrail to real upstreams from npm: each call is answered by the
 * upstream and recorded as CloudTrail records calls to that service.
 */
describe("audit gateway end to end", () => {
  const upstreams: RunningUpstream[] = [];
  let server: TestServer;
  let ddb: DynamoDBClient;
  let kinesis: KinesisClient;
  let s3: S3Client;
  const events = () => logEvents(server.app.log);
  const last = (name: string): CloudTrailEvent => {
    const e = events()
      .filter((x) => x.eventName === name)
      .at(-1);
    assert.ok(e, `no ${name} event`);
    return e;
  };

  before(async () => {
    const [dynamo, kin, s3rver, sqs] = await Promise.all([
      startDynalite(),
      startKinesalite(),
      startS3rver(),
      startSqslite(),
    ]);
    upstreams.push(dynamo, kin, s3rver, sqs);
    server = await startTestServer({
      OPENTRAIL_UPSTREAMS: [
        `dynamodb=${dynamo.url}`,
        `kinesis=${kin.url}`,
        `s3=${s3rver.url},${S3RVER_KEYS}`,
        `sqs=${sqs.url}`,
      ].join(";"),
      OPENTRAIL_DELIVERY_INTERVAL: "1",
    });
    const client = { endpoint: server.url, region: "us-east-1", credentials: creds, maxAttempts: 1 };
    ddb = new DynamoDBClient(client);
    // The Kinesis client defaults to HTTP/2 (for SubscribeToShard); OpenTrail speaks HTTP/1.1.
    kinesis = new KinesisClient({ ...client, requestHandler: new NodeHttpHandler() });
    s3 = new S3Client({ ...client, forcePathStyle: true });
  });
  after(async () => {
    await server?.stop();
    await Promise.all(upstreams.map((u) => u.stop()));
  });

  test("DynamoDB (JSON 1.0): management and item calls, answered by dynalite", async () => {
    const created = await ddb.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    assert.equal(created.TableDescription?.TableName, TABLE);
    const create = eventByRequestId(server.app.log, created.$metadata.requestId);
    assert.equal(create.eventSource, "dynamodb.amazonaws.com");
    assert.equal(create.eventName, "CreateTable");
    assert.equal(create.readOnly, false);
    assert.equal(create.eventCategory, "Management");
    assert.equal(create.managementEvent, true);
    assert.equal(create.apiVersion, "2012-08-10");
    assert.deepEqual(create.requestParameters?.keySchema, [{ attributeName: "pk", keyType: "HASH" }]);
    assert.equal((create.responseElements?.tableDescription as { tableName?: string })?.tableName, TABLE);
    assert.equal(create.userIdentity?.userName, ADMIN.userName);
    assert.equal(create.sourceIPAddress, "127.0.0.1");

    const put = await ddb.send(
      new PutItemCommand({ TableName: TABLE, Item: { pk: { S: "k1" }, secret: { S: "s3cr3t" } } }),
    );
    const putEvent = eventByRequestId(server.app.log, put.$metadata.requestId);
    assert.equal(putEvent.eventCategory, "Data");
    assert.equal(putEvent.managementEvent, false);
    assert.equal(putEvent.readOnly, false);
    assert.deepEqual(putEvent.requestParameters, { tableName: TABLE, item: ["pk", "secret"] });
    assert.ok(!JSON.stringify(putEvent).includes("s3cr3t"), "non-key attribute values are not recorded");
    assert.deepEqual(putEvent.resources, [
      { accountId: ADMIN.accountId, type: "AWS::DynamoDB::Table", ARN: TABLE_ARN },
    ]);

    const got = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: "k1" } } }));
    assert.equal(got.Item?.secret?.S, "s3cr3t");
    const getEvent = eventByRequestId(server.app.log, got.$metadata.requestId);
    assert.equal(getEvent.readOnly, true);
    assert.equal(getEvent.eventCategory, "Data");
    assert.deepEqual(getEvent.requestParameters, { tableName: TABLE, key: { pk: "k1" } });
    assert.equal(getEvent.responseElements, null);

    const q = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: "pk = :k",
        ExpressionAttributeValues: { ":k": { S: "k1" } },
      }),
    );
    assert.equal(q.Count, 1);
    assert.equal(last("Query").readOnly, true);
    assert.equal(last("Query").eventCategory, "Data");
    await ddb.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: "k1" } } }));
    assert.equal(last("DeleteItem").readOnly, false);

    await assert.rejects(
      ddb.send(new GetItemCommand({ TableName: "no-such-table", Key: { pk: { S: "x" } } })),
      (e: Error) => e.name === "ResourceNotFoundException",
    );
    const failed = last("GetItem");
    assert.equal(failed.errorCode, "ResourceNotFoundException");
    assert.equal(failed.errorMessage, "Requested resource not found");
  });

  test("Kinesis (JSON 1.1): stream calls answered by kinesalite, data events for records", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "gw-stream", ShardCount: 1 }));
    assert.equal(last("CreateStream").eventSource, "kinesis.amazonaws.com");
    assert.deepEqual(last("CreateStream").requestParameters, { streamName: "gw-stream", shardCount: 1 });
    const listed = await kinesis.send(new ListStreamsCommand({}));
    assert.deepEqual(listed.StreamNames, ["gw-stream"]);
    assert.equal(last("ListStreams").readOnly, true);
    const put = await kinesis.send(
      new PutRecordCommand({ StreamName: "gw-stream", PartitionKey: "p", Data: Buffer.from("hello") }),
    );
    assert.ok(put.SequenceNumber);
    const rec = last("PutRecord");
    assert.equal(rec.eventCategory, "Data");
    assert.equal(rec.requestParameters?.partitionKey, "p");
    assert.equal((rec.responseElements as { shardId?: string })?.shardId, put.ShardId);
    assert.deepEqual(rec.resources?.[0], {
      accountId: ADMIN.accountId,
      type: "AWS::Kinesis::Stream",
      ARN: `arn:aws:kinesis:us-east-1:${ADMIN.accountId}:stream/gw-stream`,
    });
    await assert.rejects(
      kinesis.send(new DescribeStreamCommand({ StreamName: "missing" })),
      /ResourceNotFound/,
    );
    assert.equal(last("DescribeStream").errorCode, "ResourceNotFoundException");
  });

  test("S3 (REST-XML): the built-in store yields to s3rver; calls re-signed for it; object calls are data events", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "gw-bucket" }));
    assert.equal(last("CreateBucket").eventCategory, "Management");
    await s3.send(new PutObjectCommand({ Bucket: "gw-bucket", Key: "dir/a.txt", Body: "hello s3rver" }));
    const put = last("PutObject");
    assert.equal(put.eventSource, "s3.amazonaws.com");
    assert.equal(put.eventCategory, "Data");
    assert.equal(put.requestParameters?.bucketName, "gw-bucket");
    assert.equal(put.requestParameters?.key, "dir/a.txt");
    assert.deepEqual(put.resources?.[0], {
      type: "AWS::S3::Object",
      ARN: "arn:aws:s3:::gw-bucket/dir/a.txt",
    });
    const got = await s3.send(new GetObjectCommand({ Bucket: "gw-bucket", Key: "dir/a.txt" }));
    assert.equal(await got.Body?.transformToString(), "hello s3rver");
    assert.equal(last("GetObject").readOnly, true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "gw-bucket", Key: "dir/a.txt" }));
    assert.equal(head.ContentLength, 12);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "gw-bucket", Prefix: "dir/" }));
    assert.deepEqual(
      listed.Contents?.map((o) => o.Key),
      ["dir/a.txt"],
    );
    const list = last("ListObjects");
    assert.equal(list.requestParameters?.["list-type"], "2");
    assert.equal(list.eventCategory, "Data");
    // Over 1 MiB the body streams through, its signed hash checked on the way, re-signed for s3rver.
    const big = randomBytes(3 * 1024 * 1024 + 17);
    await s3.send(new PutObjectCommand({ Bucket: "gw-bucket", Key: "big.bin", Body: big }));
    const bigPut = last("PutObject");
    assert.equal(bigPut.additionalEventData?.bytesTransferredIn, big.length);
    const back = await s3.send(new GetObjectCommand({ Bucket: "gw-bucket", Key: "big.bin" }));
    assert.ok(Buffer.from((await back.Body?.transformToByteArray()) ?? []).equals(big));
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: "gw-bucket", Key: "nope" })), /NoSuchKey/);
    assert.equal(last("GetObject").errorCode, "NoSuchKey");
  });

  test("S3 bucket-in-host addressing is recognised and forwarded path-style", async () => {
    const res = await signedRequest(server.url, {
      service: "s3",
      method: "GET",
      path: "/dir/a.txt",
      host: `gw-bucket.localhost:${new URL(server.url).port}`,
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), "hello s3rver");
    const e = last("GetObject");
    assert.equal(e.requestParameters?.bucketName, "gw-bucket");
    assert.equal(e.requestParameters?.key, "dir/a.txt");
  });

  test("SQS over the query protocol (sqslite): Action recognised from the form body", async () => {
    const call = (body: string) =>
      signedFetch(server.url, {
        service: "sqs",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `${body}&Version=2012-11-05`,
      });
    const created = await call("Action=CreateQueue&QueueName=gw-queue");
    assert.equal(created.status, 200);
    const url = /<QueueUrl>([^<]+)<\/QueueUrl>/.exec(await created.text())?.[1] ?? "";
    const create = last("CreateQueue");
    assert.equal(create.eventSource, "sqs.amazonaws.com");
    assert.deepEqual(create.requestParameters, { queueName: "gw-queue" });
    assert.deepEqual(create.responseElements, { queueUrl: url });
    const sent = await call(`Action=SendMessage&QueueUrl=${encodeURIComponent(url)}&MessageBody=hi`);
    assert.equal(sent.status, 200);
    const send = last("SendMessage");
    assert.equal(send.eventCategory, "Data");
    assert.equal(send.resources?.[0]?.ARN, `arn:aws:sqs:us-east-1:${ADMIN.accountId}:gw-queue`);
  });

  test("the AWS CLI through the gateway: DynamoDB, Kinesis, S3 (aws s3 cp), errors recorded", async () => {
    const dir = server.dir.path;
    const aws = async (...args: string[]) => {
      try {
        const r = await exec("aws", args, {
          timeout: 60_000,
          env: {
            PATH: process.env.PATH ?? "",
            HOME: dir,
            AWS_ENDPOINT_URL: server.url,
            AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
            AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
            AWS_DEFAULT_REGION: "us-east-1",
            AWS_CONFIG_FILE: join(dir, "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
          },
        });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string };
        return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
      }
    };
    const tables = await aws("dynamodb", "list-tables");
    assert.equal(tables.code, 0, tables.stderr);
    assert.deepEqual(JSON.parse(tables.stdout).TableNames, [TABLE]);
    assert.match(last("ListTables").userAgent ?? "", /^aws-cli\//);
    const missing = await aws("dynamodb", "describe-table", "--table-name", "cli-missing");
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException/);
    assert.equal(last("DescribeTable").errorCode, "ResourceNotFoundException");
    assert.deepEqual(last("DescribeTable").requestParameters, { tableName: "cli-missing" });
    const streams = await aws("kinesis", "list-streams");
    assert.equal(streams.code, 0, streams.stderr);
    const file = join(dir, "cli-upload.txt");
    writeFileSync(file, "from the cli");
    const cp = await aws("s3", "cp", file, "s3://gw-bucket/cli/upload.txt");
    assert.equal(cp.code, 0, cp.stderr);
    const put = last("PutObject");
    assert.equal(put.requestParameters?.key, "cli/upload.txt");
    assert.match(put.userAgent ?? "", /^\[aws-cli\//);
    const got = await s3.send(new GetObjectCommand({ Bucket: "gw-bucket", Key: "cli/upload.txt" }));
    assert.equal(await got.Body?.transformToString(), "from the cli");
  });

  test("LookupEvents finds the gateway's management events (data events stay out of event history)", async () => {
    const ct = cloudTrailClient(server.url);
    const out = await ct.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "dynamodb.amazonaws.com" }],
      }),
    );
    const names = (out.Events ?? []).map((e) => e.EventName);
    assert.ok(names.includes("CreateTable"), names.join());
    assert.ok(!names.includes("PutItem"));
  });

  test("a trail with data event selectors delivers DynamoDB item calls and S3 object calls", async () => {
    const ct = cloudTrailClient(server.url);
    await s3.send(new CreateBucketCommand({ Bucket: "gw-trail-logs" }));
    await ct.send(new CreateTrailCommand({ Name: "GatewayTrail", S3BucketName: "gw-trail-logs" }));
    await ct.send(
      new PutEventSelectorsCommand({
        TrailName: "GatewayTrail",
        EventSelectors: [
          {
            ReadWriteType: "All",
            IncludeManagementEvents: false,
            DataResources: [
              { Type: "AWS::DynamoDB::Table", Values: [TABLE_ARN] },
              { Type: "AWS::S3::Object", Values: ["arn:aws:s3:::gw-bucket/"] },
            ],
          },
        ],
      }),
    );
    await ct.send(new StartLoggingCommand({ Name: "GatewayTrail" }));
    const put = await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: "trail" } } }));
    await s3.send(new PutObjectCommand({ Bucket: "gw-bucket", Key: "trail.txt", Body: "x" }));
    const found = new Set<string>();
    for (let i = 0; i < 40 && found.size < 2; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "gw-trail-logs", Prefix: "AWSLogs/" }));
      for (const o of listed.Contents ?? []) {
        if (!o.Key?.includes("/CloudTrail/")) continue;
        const obj = await s3.send(new GetObjectCommand({ Bucket: "gw-trail-logs", Key: o.Key }));
        const { Records } = JSON.parse(
          gunzipSync((await obj.Body?.transformToByteArray()) ?? new Uint8Array()).toString(),
        ) as {
          Records: CloudTrailEvent[];
        };
        for (const r of Records) {
          assert.equal(r.eventCategory, "Data", `${r.eventName} is not a data event`);
          if (r.requestID === put.$metadata.requestId) found.add("PutItem");
          if (r.eventName === "PutObject" && r.requestParameters?.key === "trail.txt") found.add("PutObject");
        }
      }
    }
    assert.deepEqual([...found].sort(), ["PutItem", "PutObject"]);
  });
});
