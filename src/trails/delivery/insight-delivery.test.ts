import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import {
  ACCOUNT,
  BUCKET,
  context,
  managementEvent,
  type TrailFixture,
  trailFixture,
} from "../test-support/trail-fixture.js";

let counter = 0;

/** An Insights event as src/insights records it (reference §2.5). */
function insightEvent(fields: {
  insightType?: string;
  region?: string;
  category?: "Management" | "Data";
  insightSource?: string;
}): CloudTrailEvent {
  counter++;
  return {
    eventVersion: "1.11",
    eventTime: `${new Date().toISOString().slice(0, 16)}:00Z`,
    awsRegion: fields.region ?? "us-east-1",
    eventID: `00000000-0000-5000-8000-${String(counter).padStart(12, "0")}`,
    eventType: "AwsCloudTrailInsight",
    recipientAccountId: ACCOUNT,
    sharedEventID: "00000000-0000-5000-8000-999999999999",
    insightDetails: {
      state: "Start",
      eventSource: "ec2.amazonaws.com",
      eventName: "RunInstances",
      insightType: fields.insightType ?? "ApiCallRateInsight",
      sourceEventCategory: fields.category ?? "Management",
      ...(fields.insightSource ? { insightSource: fields.insightSource } : {}),
    },
    eventCategory: "Insight",
  };
}

const arnOf = (name: string) => `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${name}`;

/** Insights events reach a trail only through its insight selectors, in CloudTrail-Insight files (reference §3.1). */
describe("Insights event delivery", () => {
  let fx: TrailFixture;
  const east = context("us-east-1");
  before(async () => {
    fx = await trailFixture();
    for (const [Name, IsMultiRegionTrail] of [
      ["Calls", false],
      ["Plain", false],
      ["World", true],
    ] as const) {
      await fx.service.handlers.CreateTrail(
        { Name, S3BucketName: BUCKET, IsMultiRegionTrail, S3KeyPrefix: Name },
        east,
      );
      await fx.service.handlers.StartLogging({ Name }, east);
    }
    fx.service.insights.put(arnOf("Calls"), [{ InsightType: "ApiCallRateInsight" }]);
    fx.service.insights.put(arnOf("World"), [
      { InsightType: "ApiErrorRateInsight", EventCategories: ["Management", "Data"] },
    ]);
  });
  after(async () => {
    await fx.close();
    fx.remove();
  });

  const files = (trail: string, kind: string) =>
    fx.buckets
      .keys(BUCKET)
      .filter((k) => k.startsWith(`${trail}/AWSLogs/${ACCOUNT}/${kind}/`))
      .map((key) => ({
        key,
        records: JSON.parse(gunzipSync(fx.buckets.get(BUCKET, key)?.body ?? Buffer.alloc(0)).toString())
          .Records as CloudTrailEvent[],
      }));

  test("by insight type and category, per Region, to CloudTrail-Insight keys; other events as before", async () => {
    const events = [
      managementEvent({ eventName: "Ordinary" }),
      insightEvent({ insightType: "ApiCallRateInsight" }),
      insightEvent({ insightType: "ApiErrorRateInsight" }),
      insightEvent({ insightType: "ApiErrorRateInsight", region: "us-west-2" }),
      insightEvent({ insightType: "ApiErrorRateInsight", category: "Data", insightSource: arnOf("World") }),
      insightEvent({ insightType: "ApiErrorRateInsight", category: "Data", insightSource: arnOf("Other") }),
    ];
    const seqs = await fx.append(...events);
    const end = (seqs.at(-1) as number) + 1;
    for (const t of ["Calls", "Plain", "World"]) await fx.service.caughtUp(arnOf(t), end);
    const ids = (trail: string) =>
      files(trail, "CloudTrail-Insight").flatMap((f) => f.records.map((r) => r.eventID));
    assert.deepEqual(ids("Calls"), [events[1]?.eventID]);
    assert.deepEqual(ids("Plain"), []);
    assert.deepEqual(
      ids("World").sort(),
      [events[2]?.eventID, events[3]?.eventID, events[4]?.eventID].sort(),
    );
    for (const f of files("World", "CloudTrail-Insight"))
      assert.match(
        f.key,
        new RegExp(
          `^World/AWSLogs/${ACCOUNT}/CloudTrail-Insight/(us-east-1|us-west-2)/\\d{4}/\\d{2}/\\d{2}/${ACCOUNT}_CloudTrail-Insight_\\1_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`,
        ),
      );
    for (const t of ["Calls", "Plain", "World"])
      assert.deepEqual(
        files(t, "CloudTrail").flatMap((f) => f.records.map((r) => r.eventName)),
        ["Ordinary"],
      );
  });

  test("turning Insights off stops their delivery from that point of the log", async () => {
    fx.service.insights.put(arnOf("Calls"), []);
    const [seq] = await fx.append(insightEvent({ insightType: "ApiCallRateInsight" }));
    await fx.service.caughtUp(arnOf("Calls"), (seq as number) + 1);
    assert.equal(files("Calls", "CloudTrail-Insight").flatMap((f) => f.records).length, 1);
    assert.deepEqual(
      fx.service.insights.list().map((t) => t.name),
      ["World"],
    );
  });
});
