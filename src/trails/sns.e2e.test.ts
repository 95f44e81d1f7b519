import assert from "node:assert/strict";
import { verify, X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { ADMIN } from "../test-support/fixtures.js";
import { cloudTrailClient, s3TestClient, startTestServer, type TestServer } from "../test-support/server.js";
import { notificationStringToSign } from "./notify/sns-message.js";
import { type SnsReceiver, startSnsReceiver } from "./test-support/sns-receiver.js";

const BUCKET = "sns-e2e-logs";
const TRAIL = "NotifiedTrail";
const TOPIC = "cloudtrail-files";
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ADMIN.accountId}:${TOPIC}`;

/**
 * SnsTopicName end to end: `--sns-endpoint` (here OPENTRAIL_SNS_ENDPOINTS) points a topic at a
 * real HTTP receiver; the SDK creates the bucket, its policy and the trail; every delivered log
 * file is announced there in SNS's HTTP notification format, with CloudTrail's message, and
 * the signature verifies with the certificate fetched from SigningCertURL.
 */
describe("trail SNS notifications end to end", () => {
  let server: TestServer;
  let receiver: SnsReceiver;
  let s3: S3Client;

  before(async () => {
    receiver = await startSnsReceiver();
    server = await startTestServer({
      OPENTRAIL_DELIVERY_INTERVAL: "1",
      OPENTRAIL_SNS_ENDPOINTS: `${TOPIC}=${receiver.url}`,
    });
    s3 = s3TestClient(server.url);
  });
  after(async () => {
    s3?.destroy();
    await server?.stop();
    await receiver?.close();
  });

  test("SnsTopicARN as CloudTrail fills it; every delivered file is notified, signed", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const policy = {
      Version: "2012-10-17",
      Statement: [
        ["s3:GetBucketAcl", `arn:aws:s3:::${BUCKET}`],
        ["s3:PutObject", `arn:aws:s3:::${BUCKET}/AWSLogs/${ADMIN.accountId}/*`],
      ].map(([Action, Resource]) => ({
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action,
        Resource,
      })),
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(policy) }));
    const ct = cloudTrailClient(server.url);
    await assert.rejects(
      ct.send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET, SnsTopicName: "unconfigured" })),
      { name: "InsufficientSnsTopicPolicyException" },
    );
    const created = await ct.send(
      new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET, SnsTopicName: TOPIC }),
    );
    assert.equal(created.SnsTopicName, TOPIC);
    assert.equal(created.SnsTopicARN, TOPIC_ARN);
    const { Trail } = await ct.send(new GetTrailCommand({ Name: TRAIL }));
    assert.equal(Trail?.SnsTopicARN, TOPIC_ARN);
    const described = await ct.send(new DescribeTrailsCommand({ trailNameList: [TRAIL] }));
    assert.equal(described.trailList?.[0]?.SnsTopicARN, TOPIC_ARN);
    // The topic's ARN works as well as its name.
    const updated = await ct.send(new UpdateTrailCommand({ Name: TRAIL, SnsTopicName: TOPIC_ARN }));
    assert.equal(updated.SnsTopicARN, TOPIC_ARN);

    await ct.send(new StartLoggingCommand({ Name: TRAIL }));
    for (let i = 0; i < 3; i++) await ct.send(new DescribeTrailsCommand({}));

    const deadline = Date.now() + 20_000;
    while (receiver.received.length === 0) {
      if (Date.now() > deadline) assert.fail("no notification arrived");
      await new Promise((r) => setTimeout(r, 100));
    }
    const { headers, body } = receiver.received[0] as SnsReceiver["received"][number];
    assert.equal(headers["x-amz-sns-message-type"], "Notification");
    assert.equal(headers["x-amz-sns-topic-arn"], TOPIC_ARN);
    assert.equal(headers["x-amz-sns-message-id"], body.MessageId);
    assert.equal(body.Type, "Notification");
    assert.equal(body.TopicArn, TOPIC_ARN);
    const message = JSON.parse(body.Message as string) as { s3Bucket: string; s3ObjectKey: string[] };
    assert.equal(message.s3Bucket, BUCKET);
    for (const key of message.s3ObjectKey) {
      assert.match(key, new RegExp(`^AWSLogs/${ADMIN.accountId}/CloudTrail/us-east-1/`));
      const obj = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      assert.ok((await obj.Body?.transformToByteArray())?.length, `${key} is in the bucket`);
    }

    // A receiver's check: fetch the certificate (unsigned GET on OpenTrail's port), verify.
    assert.ok((body.SigningCertURL as string).startsWith(`${server.url}/SimpleNotificationService-`));
    const res = await fetch(body.SigningCertURL as string);
    assert.equal(res.status, 200);
    const cert = new X509Certificate(await res.text());
    const text = notificationStringToSign(body as Parameters<typeof notificationStringToSign>[0]);
    assert.equal(body.SignatureVersion, "2");
    assert.ok(
      verify("sha256", Buffer.from(text), cert.publicKey, Buffer.from(body.Signature as string, "base64")),
    );

    const status = await ct.send(new GetTrailStatusCommand({ Name: TRAIL }));
    assert.ok(status.LatestNotificationTime instanceof Date);
    assert.equal(status.LatestNotificationError, undefined);
  });
});
