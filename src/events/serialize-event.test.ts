import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CloudTrailEvent } from "./cloudtrail-event.js";
import { FIELD_ORDER, orderEvent, serializeEvent } from "./serialize-event.js";

describe("orderEvent", () => {
  test("puts every field CloudTrail defines in FIELD_ORDER, then the others in their own order", () => {
    const reversed: Record<string, unknown> = { zExtra: 1 };
    for (const k of [...FIELD_ORDER].reverse()) reversed[k] = `v-${k}`;
    reversed.aExtra = 2;
    const ordered = orderEvent(reversed as unknown as CloudTrailEvent);
    assert.deepEqual(Object.keys(ordered), [...FIELD_ORDER, "zExtra", "aExtra"]);
    for (const k of FIELD_ORDER) assert.equal(ordered[k], `v-${k}`);
  });

  test("leaves out undefined fields and takes the owned fields from the second argument", () => {
    const draft = {
      awsRegion: "us-east-1",
      eventTime: new Date(0),
      userAgent: undefined,
    } as unknown as CloudTrailEvent;
    const ordered = orderEvent(draft, {
      eventVersion: "1.11",
      eventTime: "2024-01-01T00:00:00Z",
      eventID: "id",
      recipientAccountId: undefined,
    });
    assert.equal(
      JSON.stringify(ordered),
      '{"eventVersion":"1.11","eventTime":"2024-01-01T00:00:00Z","awsRegion":"us-east-1","eventID":"id"}',
    );
  });

  test("serializeEvent replaces an over-cap object by null and marks the record omitted", () => {
    const event = {
      eventVersion: "1.11",
      requestParameters: { big: "x".repeat(100) },
    } as unknown as CloudTrailEvent;
    assert.equal(
      serializeEvent(event, { requestParameters: 50 }),
      '{"eventVersion":"1.11","requestParameters":null,"omitted":true}',
    );
  });
});
