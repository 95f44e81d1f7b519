import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Event, LookupEventsCommand, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import {
  eventRow,
  formatEventTable,
  type LookupFlags,
  parseLookupAttribute,
  parsePositiveInt,
  parseTime,
  runLookup,
} from "./lookup-command.js";

const record = (extra: Record<string, unknown>) =>
  JSON.stringify({ eventVersion: "1.09", eventID: "e1", sourceIPAddress: "192.0.2.10", ...extra });

const events: Event[] = [
  {
    EventId: "e1",
    EventName: "ConsoleLogin",
    EventTime: new Date("2024-05-01T10:00:00.000Z"),
    EventSource: "signin.amazonaws.com",
    Username: "alice",
    Resources: [],
    CloudTrailEvent: record({}),
  },
  {
    EventId: "e2",
    EventName: "DeleteBucket",
    EventTime: new Date("2024-05-01T09:59:58.000Z"),
    EventSource: "s3.amazonaws.com",
    Username: "bob@example.com",
    Resources: [
      { ResourceType: "AWS::S3::Bucket", ResourceName: "arn:aws:s3:::logs" },
      { ResourceType: "AWS::KMS::Key", ResourceName: "arn:aws:kms:us-east-1:1:key/k" },
    ],
    CloudTrailEvent: record({ sourceIPAddress: "2001:db8::1", errorCode: "AccessDenied" }),
  },
  { EventId: "e3", EventName: "GetEventSelectors", CloudTrailEvent: "not json" },
];

describe("lookup table", () => {
  it("shows time, user, event, source, resource, source IP and error code", () => {
    assert.deepEqual(formatEventTable(events), [
      "TIME                  USER             EVENT              SOURCE                RESOURCE                SOURCE IP    ERROR",
      "2024-05-01T10:00:00Z  alice            ConsoleLogin       signin.amazonaws.com                          192.0.2.10",
      "2024-05-01T09:59:58Z  bob@example.com  DeleteBucket       s3.amazonaws.com      arn:aws:s3:::logs (+1)  2001:db8::1  AccessDenied",
      "                                       GetEventSelectors",
    ]);
  });

  it("cuts very long values", () => {
    const row = eventRow({ Username: "u".repeat(100), EventName: "E" });
    const [, line] = formatEventTable([{ Username: "u".repeat(100), EventName: "E" }]);
    assert.equal(row.user.length, 100);
    assert.ok(line?.includes(`${"u".repeat(31)}…`));
  });
});

describe("lookup options", () => {
  it("parses lookup attributes in both orders and the shorthand", () => {
    assert.deepEqual(parseLookupAttribute("AttributeKey=Username,AttributeValue=alice"), {
      AttributeKey: "Username",
      AttributeValue: "alice",
    });
    assert.deepEqual(parseLookupAttribute("AttributeValue=a,b=c,AttributeKey=ResourceName"), {
      AttributeKey: "ResourceName",
      AttributeValue: "a,b=c",
    });
    assert.deepEqual(parseLookupAttribute("EventName=ListUsers"), {
      AttributeKey: "EventName",
      AttributeValue: "ListUsers",
    });
    for (const bad of ["alice", "AttributeKey=Username", "=x"])
      assert.throws(() => parseLookupAttribute(bad), /invalid --lookup-attributes/);
  });

  it("parses times as ISO 8601 or epoch seconds, and positive counts", () => {
    assert.deepEqual(parseTime("2024-05-01T10:00:00Z"), new Date("2024-05-01T10:00:00Z"));
    assert.deepEqual(parseTime("1714557600"), new Date("2024-05-01T10:00:00Z"));
    assert.deepEqual(parseTime("1714557600.5"), new Date("2024-05-01T10:00:00.500Z"));
    assert.throws(() => parseTime("yesterday"), /invalid time/);
    assert.equal(parsePositiveInt("25"), 25);
    for (const bad of ["0", "-1", "2.5", "x"]) assert.throws(() => parsePositiveInt(bad), /invalid number/);
  });
});

describe("runLookup", () => {
  const flags = (more: Partial<LookupFlags> = {}): LookupFlags => ({
    lookupAttributes: [],
    output: "table",
    ...more,
  });

  function fakeClient(total: number) {
    const requests: Array<Record<string, unknown>> = [];
    return {
      requests,
      send: async (command: LookupEventsCommand): Promise<LookupEventsResponse> => {
        const input = command.input;
        requests.push({ ...input });
        const from = input.NextToken ? Number(input.NextToken) : 0;
        const to = Math.min(total, from + (input.MaxResults ?? 50));
        const page = Array.from({ length: to - from }, (_, i) => ({ ...events[0], EventId: `e${from + i}` }));
        return { Events: page, NextToken: to < total ? String(to) : undefined };
      },
    };
  }

  it("follows NextToken to the end, printing one header", async () => {
    const client = fakeClient(120);
    const lines: string[] = [];
    await runLookup(
      client,
      flags({ lookupAttributes: [{ AttributeKey: "Username", AttributeValue: "alice" }] }),
      (l) => lines.push(l),
    );
    assert.equal(lines.length, 121);
    assert.deepEqual(
      client.requests.map((r) => r.NextToken),
      [undefined, "50", "100"],
    );
    assert.deepEqual(client.requests[0]?.LookupAttributes, [
      { AttributeKey: "Username", AttributeValue: "alice" },
    ]);
  });

  it("stops at --max-items, asking only for what it still needs", async () => {
    const client = fakeClient(500);
    const lines: string[] = [];
    await runLookup(client, flags({ maxItems: 60, output: "json" }), (l) => lines.push(l));
    assert.deepEqual(
      client.requests.map((r) => r.MaxResults),
      [50, 10],
    );
    const out = JSON.parse(lines.join("\n")) as { Events: Event[] };
    assert.equal(out.Events.length, 60);
  });

  it("turns service errors into one-line errors", async () => {
    const client = {
      send: async () => {
        throw Object.assign(new Error("bad key"), { name: "InvalidLookupAttributesException" });
      },
    };
    await assert.rejects(
      runLookup(client, flags(), () => {}),
      { name: "LookupCommandError", message: "InvalidLookupAttributesException: bad key" },
    );
  });
});
