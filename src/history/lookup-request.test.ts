import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LookupEventsRequest } from "@aws-sdk/client-cloudtrail";
import { isAwsError } from "../protocol/errors.js";
import { attributeValueLength, parseLookupRequest } from "./lookup-request.js";
import { NextTokens } from "./next-token.js";

const now = new Date("2024-06-01T12:00:00.000Z");
const single = { combineAttributes: false };
const parse = (input: unknown, settings = single) =>
  parseLookupRequest(input as LookupEventsRequest, settings, now);

function rejects(input: unknown, code: string, settings = single): void {
  assert.throws(
    () => parse(input, settings),
    (e: unknown) => isAwsError(e) && e.code === code && e.status === 400 && e.message.length > 0,
    `${JSON.stringify(input)} → ${code}`,
  );
}

describe("parseLookupRequest", () => {
  it("defaults to the last 90 days, 50 results, management events", () => {
    const plan = parse({});
    assert.equal(plan.endT, now.getTime() / 1000);
    assert.equal(plan.startT, now.getTime() / 1000 - 90 * 86400);
    assert.equal(plan.maxResults, 50);
    assert.equal(plan.insight, false);
    assert.deepEqual(plan.attributes, []);
    assert.equal(plan.nextToken, undefined);
  });

  it("rounds a time range inwards to whole seconds (both ends inclusive)", () => {
    const plan = parse({
      StartTime: new Date("2024-05-01T00:00:00.500Z"),
      EndTime: new Date("2024-05-02T00:00:00.500Z"),
    });
    assert.equal(plan.startT, Date.parse("2024-05-01T00:00:01Z") / 1000);
    assert.equal(plan.endT, Date.parse("2024-05-02T00:00:00Z") / 1000);
  });

  it("never lets defaults make a range invalid", () => {
    const old = parse({ EndTime: new Date("2023-01-01T00:00:00Z") });
    assert.ok(old.startT <= old.endT);
    const future = parse({ StartTime: new Date("2025-01-01T00:00:00Z") });
    assert.ok(future.startT <= future.endT);
  });

  it("accepts each lookup attribute key", () => {
    for (const key of [
      "EventId",
      "EventName",
      "ReadOnly",
      "Username",
      "ResourceType",
      "ResourceName",
      "EventSource",
      "AccessKeyId",
    ]) {
      const value = key === "ReadOnly" ? "false" : "x";
      assert.deepEqual(
        parse({ LookupAttributes: [{ AttributeKey: key, AttributeValue: value }] }).attributes[0]?.value,
        value,
      );
    }
  });

  it("InvalidLookupAttributesException: unknown key, bad value, more than one attribute", () => {
    const bad = [
      [{ AttributeKey: "UserName", AttributeValue: "alice" }],
      [{ AttributeKey: "eventname", AttributeValue: "x" }],
      [{ AttributeValue: "x" }],
      [{ AttributeKey: "Username", AttributeValue: "" }],
      [{ AttributeKey: "Username" }],
      [{ AttributeKey: "Username", AttributeValue: "x".repeat(2001) }],
      [{ AttributeKey: "Username", AttributeValue: "a_".repeat(667) }],
      [{ AttributeKey: "ReadOnly", AttributeValue: "yes" }],
      [{ AttributeKey: "ReadOnly", AttributeValue: "TRUE" }],
      [
        { AttributeKey: "Username", AttributeValue: "alice" },
        { AttributeKey: "EventName", AttributeValue: "ListUsers" },
      ],
      "Username=alice",
    ];
    for (const LookupAttributes of bad) rejects({ LookupAttributes }, "InvalidLookupAttributesException");
  });

  it("counts underscore, space, comma and newline twice in AttributeValue's length", () => {
    assert.equal(attributeValueLength("a_b c,d\ne"), 13);
    assert.doesNotThrow(() =>
      parse({ LookupAttributes: [{ AttributeKey: "Username", AttributeValue: "x".repeat(2000) }] }),
    );
  });

  it("combines several attributes only when the server allows it", () => {
    const input = {
      LookupAttributes: [
        { AttributeKey: "Username", AttributeValue: "alice" },
        { AttributeKey: "EventName", AttributeValue: "ListUsers" },
      ],
    };
    assert.equal(parse(input, { combineAttributes: true }).attributes.length, 2);
  });

  it("InvalidEventCategoryException for anything but insight", () => {
    assert.equal(parse({ EventCategory: "insight" }).insight, true);
    for (const EventCategory of ["Insight", "management", "", "data"])
      rejects({ EventCategory }, "InvalidEventCategoryException");
  });

  it("allows only EventId, EventName and EventSource for Insights events", () => {
    assert.doesNotThrow(() =>
      parse({
        EventCategory: "insight",
        LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "s3.amazonaws.com" }],
      }),
    );
    rejects(
      { EventCategory: "insight", LookupAttributes: [{ AttributeKey: "Username", AttributeValue: "bob" }] },
      "InvalidLookupAttributesException",
    );
  });

  it("InvalidTimeRangeException: start after end, or impossible times", () => {
    rejects(
      { StartTime: new Date("2024-05-02T00:00:00Z"), EndTime: new Date("2024-05-01T00:00:00Z") },
      "InvalidTimeRangeException",
    );
    rejects({ StartTime: new Date(Number.NaN) }, "InvalidTimeRangeException");
    rejects({ EndTime: new Date(-1000) }, "InvalidTimeRangeException");
    rejects({ StartTime: new Date("+275760-09-13T00:00:00Z") }, "InvalidTimeRangeException");
    const instant = new Date("2024-05-01T00:00:00Z");
    assert.doesNotThrow(() => parse({ StartTime: instant, EndTime: instant }));
  });

  it("InvalidMaxResultsException outside 1-50", () => {
    assert.equal(parse({ MaxResults: 1 }).maxResults, 1);
    assert.equal(parse({ MaxResults: 50 }).maxResults, 50);
    for (const MaxResults of [0, -1, 51, 1000, 2.5, "10"])
      rejects({ MaxResults }, "InvalidMaxResultsException");
  });

  it("binds tokens to the parameters, not to MaxResults", () => {
    const a = parse({
      LookupAttributes: [{ AttributeKey: "Username", AttributeValue: "alice" }],
      MaxResults: 5,
    });
    const b = parse({
      LookupAttributes: [{ AttributeKey: "Username", AttributeValue: "alice" }],
      MaxResults: 7,
    });
    const c = parse({ LookupAttributes: [{ AttributeKey: "Username", AttributeValue: "bob" }] });
    assert.equal(a.binding, b.binding);
    assert.notEqual(a.binding, c.binding);
    assert.notEqual(parse({}).binding, parse({ EventCategory: "insight" }).binding);
    assert.equal(parse({ NextToken: "" }).nextToken, undefined);
  });
});

describe("NextTokens", () => {
  const tokens = new NextTokens(Buffer.alloc(32, 7));

  it("round-trips a position bound to the request", () => {
    const token = tokens.issue("binding", { t: 1714557600, seq: 123456 });
    assert.deepEqual(tokens.verify(token, "binding"), { t: 1714557600, seq: 123456 });
  });

  it("InvalidNextTokenException for tampered, foreign or malformed tokens", () => {
    const token = tokens.issue("binding", { t: 1714557600, seq: 42 });
    const flipped = `${token.slice(0, 5)}${token[5] === "A" ? "B" : "A"}${token.slice(6)}`;
    const candidates = [
      flipped,
      `${token}A`,
      token.slice(0, -1),
      "garbage",
      "!!!!",
      "x".repeat(2000),
      new NextTokens(Buffer.alloc(32, 8)).issue("binding", { t: 1714557600, seq: 42 }),
    ];
    for (const t of candidates) {
      assert.throws(
        () => tokens.verify(t, "binding"),
        (e: unknown) => isAwsError(e) && e.code === "InvalidNextTokenException",
        t,
      );
    }
    assert.throws(
      () => tokens.verify(token, "other request"),
      (e: unknown) => isAwsError(e) && e.code === "InvalidNextTokenException",
    );
  });
});
