import assert from "node:assert/strict";
import { test } from "node:test";
import type { EventDraft } from "./event-sink.js";
import { Recorder } from "./recorder.js";
import { InvalidEventError } from "./validate-event.js";

class MemoryLog {
  records: Buffer[] = [];
  async append(payload: Buffer): Promise<number> {
    this.records.push(payload);
    return this.records.length - 1;
  }
}

const draft = (over: Partial<EventDraft> = {}): EventDraft => ({
  userIdentity: {
    type: "IAMUser",
    principalId: "AIDAEXAMPLE",
    arn: "arn:aws:iam::123456789012:user/a",
    accountId: "123456789012",
    userName: "a",
  },
  eventSource: "cloudtrail.amazonaws.com",
  eventName: "DescribeTrails",
  awsRegion: "us-east-1",
  sourceIPAddress: "127.0.0.1",
  userAgent: "test",
  requestParameters: null,
  responseElements: null,
  requestID: "r-1",
  readOnly: true,
  eventType: "AwsApiCall",
  managementEvent: true,
  eventCategory: "Management",
  ...over,
});

test("fills version, id, time and recipient, and writes CloudTrail's field order", async () => {
  const log = new MemoryLog();
  const rec = new Recorder(log, { clock: () => new Date("2024-01-02T03:04:05.678Z") });
  const ev = await rec.record(draft());
  assert.equal(ev.eventVersion, "1.11");
  assert.equal(ev.eventTime, "2024-01-02T03:04:05Z");
  assert.match(ev.eventID, /^[0-9a-f-]{36}$/);
  assert.equal(ev.recipientAccountId, "123456789012");
  const stored = JSON.parse(log.records[0]?.toString() ?? "{}");
  assert.deepEqual(Object.keys(stored), [
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "requestParameters",
    "responseElements",
    "requestID",
    "eventID",
    "readOnly",
    "eventType",
    "managementEvent",
    "recipientAccountId",
    "eventCategory",
  ]);
});

test("refuses records without what CloudTrail requires, and writes nothing", async () => {
  const log = new MemoryLog();
  const rec = new Recorder(log);
  for (const bad of [
    { eventSource: "" },
    { eventName: undefined },
    { awsRegion: "" },
    { eventTime: "yesterday" },
    { eventID: "x" },
  ]) {
    await assert.rejects(rec.record(draft(bad as Partial<EventDraft>)), InvalidEventError);
  }
  assert.equal(log.records.length, 0);
});

test("caps oversized fields and marks the record omitted; refuses events over 256 KB", async () => {
  const log = new MemoryLog();
  const rec = new Recorder(log);
  const ev = await rec.record(
    draft({ userAgent: "u".repeat(5000), requestParameters: { big: "x".repeat(200_000) } }),
  );
  assert.equal(ev.userAgent?.length, 1024);
  assert.equal(ev.requestParameters, null);
  assert.equal(ev.omitted, true);
  await assert.rejects(
    rec.record(draft({ additionalEventData: undefined, extra: "y".repeat(300_000) } as Partial<EventDraft>)),
    InvalidEventError,
  );
});

test("Insights records need no eventSource or userIdentity", async () => {
  const rec = new Recorder(new MemoryLog());
  const ev = await rec.record({
    awsRegion: "us-east-1",
    eventType: "AwsCloudTrailInsight",
    eventCategory: "Insight",
    recipientAccountId: "123456789012",
  });
  assert.equal(ev.eventCategory, "Insight");
});
