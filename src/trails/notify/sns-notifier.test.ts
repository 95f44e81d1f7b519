import assert from "node:assert/strict";
import { generateKeyPairSync, verify, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type SnsReceiver, startSnsReceiver } from "../test-support/sns-receiver.js";
import {
  ACCOUNT,
  BUCKET,
  context,
  managementEvent,
  type TrailFixture,
  trailFixture,
} from "../test-support/trail-fixture.js";
import { selfSignedCertificate } from "./self-signed-cert.js";
import { cloudTrailLogMessage, notificationStringToSign, snsNotificationRequest } from "./sns-message.js";
import { SnsSigner } from "./sns-signer.js";

const east = context("us-east-1");
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:trail-files`;

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 8000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Verifies a notification as an SNS receiver does: string to sign, certificate, SHA256withRSA. */
function verifySnsSignature(body: Record<string, string>, certificatePem: string): boolean {
  const text = notificationStringToSign(body as Parameters<typeof notificationStringToSign>[0]);
  const key = new X509Certificate(certificatePem).publicKey;
  return (
    body.SignatureVersion === "2" &&
    verify("sha256", Buffer.from(text), key, Buffer.from(body.Signature ?? "", "base64"))
  );
}

describe("SNS notification format", () => {
  test("string to sign: SNS's field order, Subject only when present, trailing newline", () => {
    const fields = { Message: "m", MessageId: "id", Timestamp: "t", TopicArn: "arn", Type: "Notification" };
    assert.equal(
      notificationStringToSign(fields),
      "Message\nm\nMessageId\nid\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n",
    );
    assert.equal(
      notificationStringToSign({ ...fields, Subject: "s" }),
      "Message\nm\nMessageId\nid\nSubject\ns\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n",
    );
  });

  test("CloudTrail's message and SNS's body and headers; the signature verifies with the certificate", () => {
    const dir = mkdtempSync(join(tmpdir(), "opentrail-sns-"));
    try {
      const signer = SnsSigner.open(dir);
      assert.match(signer.certificatePath, /^\/SimpleNotificationService-[0-9a-f]{32}\.pem$/);
      assert.equal(SnsSigner.open(dir).certificatePath, signer.certificatePath, "the key survives a restart");
      const message = cloudTrailLogMessage("b", ["AWSLogs/1/CloudTrail/us-east-1/x.json.gz"]);
      assert.equal(message, '{"s3Bucket":"b","s3ObjectKey":["AWSLogs/1/CloudTrail/us-east-1/x.json.gz"]}');
      const req = snsNotificationRequest(
        {
          messageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
          topicArn: TOPIC_ARN,
          subscriptionArn: `${TOPIC_ARN}:sub`,
          message,
          timestamp: "2026-01-01T00:00:00.000Z",
          signingCertUrl: `http://h${signer.certificatePath}`,
          unsubscribeUrl: "http://h/?Action=Unsubscribe",
        },
        (s) => signer.sign(s),
      );
      const body = JSON.parse(req.body) as Record<string, string>;
      assert.deepEqual(Object.keys(body), [
        "Type",
        "MessageId",
        "TopicArn",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
      ]);
      assert.equal(body.Type, "Notification");
      assert.equal(req.headers["x-amz-sns-message-type"], "Notification");
      assert.equal(req.headers["x-amz-sns-topic-arn"], TOPIC_ARN);
      assert.equal(req.headers["x-amz-sns-message-id"], body.MessageId);
      assert.equal(req.headers["content-type"], "text/plain; charset=UTF-8");
      assert.ok(verifySnsSignature(body, signer.certificatePem));
      assert.ok(!verifySnsSignature({ ...body, Message: `${body.Message} ` }, signer.certificatePem));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("self-signed certificate: parses, self-verifies, carries the key", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const cert = new X509Certificate(
      selfSignedCertificate(privateKey, "sns.test", new Date("2026-01-01"), new Date("2056-01-01")),
    );
    assert.equal(cert.subject, "CN=sns.test");
    assert.ok(cert.verify(publicKey));
    assert.ok(cert.publicKey.equals(publicKey));
    assert.equal(new Date(cert.validTo).getUTCFullYear(), 2056);
  });
});

describe("trail notifications to an HTTP endpoint", () => {
  let fx: TrailFixture;
  let receiver: SnsReceiver;
  const arn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/Notify`;
  before(async () => {
    receiver = await startSnsReceiver();
    fx = await trailFixture({
      snsEndpoints: [{ topic: "trail-files", url: receiver.url }],
      snsRetry: { attempts: 3, firstRetryMs: 50, timeoutMs: 2000 },
      publicUrl: () => "http://opentrail.test:4580",
    });
    await fx.service.handlers.CreateTrail(
      { Name: "Notify", S3BucketName: BUCKET, SnsTopicName: "trail-files" },
      east,
    );
    await fx.service.handlers.StartLogging({ Name: "Notify" }, east);
  });
  after(async () => {
    await fx.close();
    fx.remove();
    await receiver.close();
  });

  test("each delivery is notified with the delivered keys, signed, with the trail's topic", async () => {
    const seqs = await fx.append(
      managementEvent({ eventName: "One" }),
      managementEvent({ eventName: "Two" }),
    );
    await fx.service.caughtUp(arn, (seqs.at(-1) as number) + 1);
    const n = await waitFor("a notification", () => receiver.received[0]);
    const message = JSON.parse(n.body.Message as string) as { s3Bucket: string; s3ObjectKey: string[] };
    assert.equal(message.s3Bucket, BUCKET);
    assert.equal(message.s3ObjectKey.length, 1);
    assert.ok(fx.buckets.get(BUCKET, message.s3ObjectKey[0] as string), "the notified key is in the bucket");
    assert.equal(n.body.TopicArn, TOPIC_ARN);
    assert.equal(n.headers["x-amz-sns-topic-arn"], TOPIC_ARN);
    assert.match(String(n.headers["x-amz-sns-subscription-arn"]), new RegExp(`^${TOPIC_ARN}:[0-9a-f-]{36}$`));
    assert.equal(n.headers["user-agent"], "Amazon Simple Notification Service Agent");
    assert.match(n.body.Timestamp as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const cert = fx.service.snsSigningCertificate;
    assert.ok(cert);
    assert.equal(n.body.SigningCertURL, `http://opentrail.test:4580${cert.path}`);
    assert.match(
      n.body.UnsubscribeURL as string,
      /^http:\/\/opentrail\.test:4580\/\?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:/,
    );
    assert.ok(verifySnsSignature(n.body, cert.pem));
    const status = await waitFor("LatestNotificationTime", async () => {
      const s = await fx.service.handlers.GetTrailStatus({ Name: "Notify" }, east);
      return s.LatestNotificationTime && s;
    });
    assert.ok(status.LatestNotificationTime instanceof Date);
    assert.equal(status.LatestNotificationAttemptSucceeded, status.LatestNotificationAttemptTime);
    assert.equal(status.LatestNotificationError, undefined);
  });

  test("a failing endpoint is retried with the same MessageId; delivery never waits for it", async () => {
    receiver.received.length = 0;
    receiver.failNext = [500, 503];
    const before = receiver.attempts;
    const seqs = await fx.append(managementEvent({ eventName: "Retried" }));
    await fx.service.caughtUp(arn, (seqs[0] as number) + 1);
    const n = await waitFor("the retried notification", () => receiver.received[0]);
    assert.equal(receiver.attempts - before, 3, "two failures, then success");
    const ids = receiver.messageIds.slice(before);
    assert.deepEqual(
      ids,
      [n.body.MessageId, n.body.MessageId, n.body.MessageId],
      "one MessageId for every attempt",
    );
    assert.ok(JSON.parse(n.body.Message as string).s3ObjectKey[0]);
  });

  test("an endpoint that keeps failing: bounded retries, LatestNotificationError; files still delivered", async () => {
    receiver.received.length = 0;
    receiver.failNext = [500, 500, 500, 500, 500];
    const before = receiver.attempts;
    const files = fx.buckets.keys(BUCKET, "AWSLogs/").length;
    const seqs = await fx.append(managementEvent({ eventName: "GivenUp" }));
    await fx.service.caughtUp(arn, (seqs[0] as number) + 1);
    assert.equal(fx.buckets.keys(BUCKET, "AWSLogs/").length, files + 1, "the log file is delivered");
    const status = await waitFor("LatestNotificationError", async () => {
      const s = await fx.service.handlers.GetTrailStatus({ Name: "Notify" }, east);
      return s.LatestNotificationError ? s : undefined;
    });
    assert.equal(status.LatestNotificationError, "HTTP 500");
    assert.equal(status.LatestNotificationAttemptSucceeded, "");
    assert.equal(receiver.attempts - before, 3, "attempts are bounded");
    assert.equal(receiver.received.length, 0);
    receiver.failNext = [];
    const next = await fx.append(managementEvent({ eventName: "Healed" }));
    await fx.service.caughtUp(arn, (next[0] as number) + 1);
    await waitFor("the next notification", () => receiver.received[0]);
    await waitFor("the error to clear", async () => {
      const s = await fx.service.handlers.GetTrailStatus({ Name: "Notify" }, east);
      return s.LatestNotificationError === undefined;
    });
  });
});
