import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { EventLog } from "../log/index.js";
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
    // A Date is formatted by the recorder, but past year 9999 it takes more than four digits.
    { eventTime: new Date(Date.UTC(10000, 0, 1)) },
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

test("stores exactly the bytes of CloudTrail's compact JSON, UTF-8, in its field order", async () => {
  const dir = await mkdtemp(join(tmpdir(), "opentrail-recorder-"));
  const log = await EventLog.open({ dir });
  try {
    const rec = new Recorder(log);
    const ev = await rec.record(
      draft({
        eventID: "0f8b3a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        eventTime: "2024-05-06T07:08:09Z",
        userAgent: 'agent \u00e9\u4e2d\ud83d\ude00 "quoted" \\ \n\u2028',
        requestParameters: { name: "n", nested: { list: [1, 2.5, true, null] } },
        zExtra: "kept last",
      } as Partial<EventDraft>),
    );
    const expected =
      '{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE",' +
      '"arn":"arn:aws:iam::123456789012:user/a","accountId":"123456789012","userName":"a"},' +
      '"eventTime":"2024-05-06T07:08:09Z","eventSource":"cloudtrail.amazonaws.com","eventName":"DescribeTrails",' +
      '"awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1",' +
      '"userAgent":"agent \u00e9\u4e2d\ud83d\ude00 \\"quoted\\" \\\\ \\n\u2028",' +
      '"requestParameters":{"name":"n","nested":{"list":[1,2.5,true,null]}},"responseElements":null,' +
      '"requestID":"r-1","eventID":"0f8b3a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b","readOnly":true,' +
      '"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012",' +
      '"eventCategory":"Management","zExtra":"kept last"}';
    assert.equal(log.read(0, 1)[0]?.payload.toString("utf8"), expected);
    assert.deepEqual(log.read(0, 1)[0]?.payload, Buffer.from(expected, "utf8"));
    assert.equal(JSON.stringify(ev), expected);
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("concurrent records and batches are durable once each, as the bytes of the events returned", async () => {
  const dir = await mkdtemp(join(tmpdir(), "opentrail-recorder-"));
  const log = await EventLog.open({ dir });
  try {
    const rec = new Recorder(log);
    const single = Array.from({ length: 1000 }, (_, i) => rec.record(draft({ requestID: `s-${i}` })));
    const batch = rec.recordBatch(Array.from({ length: 300 }, (_, i) => draft({ requestID: `b-${i}` })));
    const events = [...(await Promise.all(single)), ...(await batch)];
    assert.equal(log.endSeq, 1300);
    const stored = new Map(
      log.read(0, 2000).map((r) => [JSON.parse(r.payload.toString()).eventID, r.payload]),
    );
    assert.equal(stored.size, 1300, "every eventID is distinct and stored once");
    for (const ev of events) assert.equal(stored.get(ev.eventID)?.toString(), JSON.stringify(ev));
    assert.ok(log.stats.flushes < 50, `${log.stats.flushes} flushes`);
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
});
