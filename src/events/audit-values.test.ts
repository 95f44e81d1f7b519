import assert from "node:assert/strict";
import { test } from "node:test";
import { toAuditObject } from "./audit-values.js";
import { formatEventTime, formatParameterTime } from "./event-time.js";

test("camelCases members recursively, as CloudTrail records its own API's parameters", () => {
  assert.deepEqual(
    toAuditObject({ Name: "t", S3BucketName: "b", TagsList: [{ Key: "k", Value: "v" }], TrailARN: "arn" }),
    { name: "t", s3BucketName: "b", tagsList: [{ key: "k", value: "v" }], trailARN: "arn" },
  );
});

test("empty structures are null; bytes are left out", () => {
  assert.equal(toAuditObject({}), null);
  assert.equal(toAuditObject(undefined), null);
  assert.equal(toAuditObject({ Value: Buffer.from("x") }), null);
});

test("timestamps inside parameters use Java's format, as in real records", () => {
  assert.equal(formatParameterTime(new Date("2023-07-10T12:31:14Z")), "Jul 10, 2023, 12:31:14 PM");
  assert.equal(formatParameterTime(new Date("2023-07-10T00:05:09Z")), "Jul 10, 2023, 12:05:09 AM");
  assert.equal(formatParameterTime(new Date("2023-07-10T18:38:25Z")), "Jul 10, 2023, 6:38:25 PM");
  assert.deepEqual(toAuditObject({ StartTime: new Date("2024-05-01T09:00:00Z") }), {
    startTime: "May 1, 2024, 9:00:00 AM",
  });
});

test("eventTime has whole seconds and Z", () => {
  assert.equal(formatEventTime(new Date("2023-07-19T21:33:41.987Z")), "2023-07-19T21:33:41Z");
});
