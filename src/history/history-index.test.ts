import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LookupAttribute, LookupEventsRequest } from "@aws-sdk/client-cloudtrail";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { isAwsError } from "../protocol/errors.js";
import { eventFields } from "./event-fields.js";
import type { HistoryIndex, HistoryScope } from "./history-index.js";
import {
  expectedIds,
  generated,
  ids,
  logRecords,
  type Seeded,
  seeded,
  type TempHistory,
  tempHistory,
} from "./test-support.js";

const DAY = 86_400_000;
const NOW = new Date("2025-01-01T00:00:00Z");
const ACCOUNTS = ["111122223333", "444455556666"];
const MAIN: HistoryScope = { accountId: "111122223333", region: "us-east-1" };
const WINDOW = { start: NOW.getTime() - 90 * DAY, end: NOW.getTime() };

/** Every page of a lookup, following NextToken. */
function lookupAll(index: HistoryIndex, input: LookupEventsRequest, scope = MAIN, now = NOW): string[] {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = index.lookupEvents({ ...input, NextToken: token }, scope, now);
    assert.ok((page.Events?.length ?? 0) <= (input.MaxResults ?? 50));
    out.push(...ids(page.Events));
    token = page.NextToken;
  } while (token);
  return out;
}

function rejects(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => isAwsError(e) && e.code === code, code);
}

const attr = (AttributeKey: string, AttributeValue: string): LookupAttribute[] => [
  { AttributeKey, AttributeValue } as LookupAttribute,
];

/** Values of each lookup attribute taken from sample events. */
function sampleValues(events: CloudTrailEvent[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const record of [events[5], events[1800], events[3990]]) {
    const f = eventFields(record as CloudTrailEvent);
    if (!f) continue;
    out.push(["EventId", f.eventId], ["EventName", f.eventName ?? ""], ["EventSource", f.eventSource ?? ""]);
    out.push(
      ["ReadOnly", String(f.readOnly)],
      ["Username", f.username ?? ""],
      ["AccessKeyId", f.accessKeyId ?? ""],
    );
    for (const r of f.resources) out.push(["ResourceType", r.type ?? ""], ["ResourceName", r.name ?? ""]);
  }
  return out.filter(([, v]) => v !== "" && v !== "undefined");
}

describe("HistoryIndex lookups", () => {
  let h: TempHistory;
  let events: CloudTrailEvent[];
  let seededEvents: Seeded[];

  before(() => {
    events = generated(4000, {
      seed: 3,
      end: NOW,
      start: new Date(NOW.getTime() - 100 * DAY),
      accounts: ACCOUNTS,
      regions: [
        ["us-east-1", 3],
        ["eu-west-1", 1],
      ],
    });
    seededEvents = seeded(events);
    h = tempHistory({ retentionDays: 365, flushEvents: 1500 });
    const records = logRecords(events);
    for (let i = 0; i < records.length; i += 1024) h.index.apply(records.slice(i, i + 1024));
  });
  after(() => h.close());

  it("finds exactly the matching events for every lookup attribute, newest first", () => {
    const values = sampleValues(events);
    assert.ok(new Set(values.map(([k]) => k)).size === 8, "samples cover all eight keys");
    for (const [key, value] of values) {
      const got = lookupAll(h.index, { LookupAttributes: attr(key, value) });
      assert.deepEqual(
        got,
        expectedIds(seededEvents, { ...MAIN, ...WINDOW, attributes: attr(key, value) }),
        `${key}=${value}`,
      );
    }
  });

  it("returns nothing for values that never occur", () => {
    for (const key of ["EventId", "EventName", "Username", "ResourceName", "AccessKeyId"]) {
      assert.deepEqual(
        h.index.lookupEvents({ LookupAttributes: attr(key, "no-such-value") }, MAIN, NOW).Events,
        [],
      );
    }
  });

  it("returns each event as CloudTrail shows it, with the stored record byte for byte", () => {
    const page = h.index.lookupEvents({ MaxResults: 50 }, MAIN, NOW);
    for (const e of page.Events ?? []) {
      const record = events.find((r) => r.eventID === e.EventId) as CloudTrailEvent;
      assert.equal(e.CloudTrailEvent, JSON.stringify(record));
      assert.deepEqual(e.EventTime, new Date(record.eventTime));
      assert.equal(e.EventName, record.eventName);
      assert.equal(e.ReadOnly, String(record.readOnly));
    }
  });

  it("defaults to the last 90 days; an explicit StartTime reaches further back", () => {
    assert.deepEqual(lookupAll(h.index, {}), expectedIds(seededEvents, { ...MAIN, ...WINDOW }));
    const start = NOW.getTime() - 100 * DAY;
    const all = lookupAll(h.index, { StartTime: new Date(start) });
    assert.deepEqual(all, expectedIds(seededEvents, { ...MAIN, start, end: NOW.getTime() }));
    assert.ok(all.length > lookupAll(h.index, {}).length);
  });

  it("treats StartTime and EndTime as inclusive", () => {
    const record = events[2000] as CloudTrailEvent;
    const at = new Date(record.eventTime);
    const got = lookupAll(
      h.index,
      { StartTime: at, EndTime: at },
      { accountId: record.recipientAccountId as string, region: record.awsRegion },
    );
    assert.ok(got.includes(record.eventID));
    const start = NOW.getTime() - 30 * DAY;
    const end = NOW.getTime() - 20 * DAY;
    const input = {
      StartTime: new Date(start),
      EndTime: new Date(end),
      LookupAttributes: attr("ReadOnly", "false"),
    };
    assert.deepEqual(
      lookupAll(h.index, input),
      expectedIds(seededEvents, { ...MAIN, start, end, attributes: input.LookupAttributes }),
    );
  });

  it("sees only the caller's account and region", () => {
    for (const accountId of ACCOUNTS) {
      for (const region of ["us-east-1", "eu-west-1", "ap-southeast-2"]) {
        const scope = { accountId, region };
        assert.deepEqual(lookupAll(h.index, {}, scope), expectedIds(seededEvents, { ...scope, ...WINDOW }));
      }
    }
    assert.deepEqual(
      h.index.lookupEvents({}, { accountId: "999999999999", region: "us-east-1" }, NOW).Events,
      [],
    );
  });

  it("rejects NextTokens from other requests or callers, allows another MaxResults", () => {
    const first = h.index.lookupEvents({ MaxResults: 3 }, MAIN, NOW);
    const token = first.NextToken as string;
    assert.equal(h.index.lookupEvents({ MaxResults: 7, NextToken: token }, MAIN, NOW).Events?.length, 7);
    rejects(
      () => h.index.lookupEvents({ NextToken: token }, { ...MAIN, region: "eu-west-1" }, NOW),
      "InvalidNextTokenException",
    );
    rejects(
      () => h.index.lookupEvents({ NextToken: token, EndTime: NOW }, MAIN, NOW),
      "InvalidNextTokenException",
    );
    rejects(
      () => h.index.lookupEvents({ NextToken: token, LookupAttributes: attr("ReadOnly", "true") }, MAIN, NOW),
      "InvalidNextTokenException",
    );
    rejects(
      () => h.index.lookupEvents({ NextToken: `${token.slice(0, -2)}AA` }, MAIN, NOW),
      "InvalidNextTokenException",
    );
  });

  it("answers invalid requests with CloudTrail's error codes", () => {
    const cases: Array<[LookupEventsRequest, string]> = [
      [{ LookupAttributes: attr("Bogus", "x") }, "InvalidLookupAttributesException"],
      [
        { LookupAttributes: [...attr("Username", "a"), ...attr("EventName", "b")] },
        "InvalidLookupAttributesException",
      ],
      [
        { StartTime: new Date("2024-12-02T00:00:00Z"), EndTime: new Date("2024-12-01T00:00:00Z") },
        "InvalidTimeRangeException",
      ],
      [{ MaxResults: 51 }, "InvalidMaxResultsException"],
      [{ NextToken: "not-a-token" }, "InvalidNextTokenException"],
      [{ EventCategory: "management" as "insight" }, "InvalidEventCategoryException"],
    ];
    for (const [input, code] of cases) rejects(() => h.index.lookupEvents(input, MAIN, NOW), code);
  });
});

describe("HistoryIndex paging while events arrive", () => {
  it("pages through everything with MaxResults 1..50: no duplicates, no gaps", () => {
    const end = NOW.getTime() - 10 * DAY;
    const base = generated(250, { seed: 9, end: new Date(end), start: new Date(end - 5 * DAY) });
    const h = tempHistory({ flushEvents: 200 });
    try {
      h.index.apply(logRecords(base));
      let seq = base.length;
      const arriving = generated(2_000, { seed: 10, start: new Date(end - 5 * DAY), end: NOW });
      for (let max = 1; max <= 50; max++) {
        const before = new Set(lookupAll(h.index, { StartTime: new Date(end - 6 * DAY) }));
        const seen: string[] = [];
        let token: string | undefined;
        for (let pageNo = 0; pageNo === 0 || token; pageNo++) {
          const page = h.index.lookupEvents(
            { MaxResults: max, NextToken: token, StartTime: new Date(end - 6 * DAY) },
            MAIN,
            NOW,
          );
          seen.push(...ids(page.Events));
          token = page.NextToken;
          // Newer events (and some late, older ones) arrive between pages.
          const batch = pageNo % 4 === 0 ? arriving.splice(0, 2) : [];
          h.index.apply(logRecords(batch, seq));
          seq += batch.length;
        }
        const unique = new Set(seen);
        assert.equal(unique.size, seen.length, `duplicates with MaxResults ${max}`);
        for (const id of before) assert.ok(unique.has(id), `gap with MaxResults ${max}: ${id}`);
      }
    } finally {
      h.close();
    }
  });
});

describe("HistoryIndex Insights events and combined attributes", () => {
  const insight = (i: number, eventName: string, at: string): CloudTrailEvent => ({
    eventVersion: "1.07",
    eventTime: at,
    awsRegion: "us-east-1",
    eventID: `0000000${i}-9621-4d00-b913-beca2e000000`,
    eventType: "AwsCloudTrailInsight",
    recipientAccountId: MAIN.accountId,
    sharedEventID: "EXAMPLE2-1729-42f1-b735-5d8c0EXAMPLE",
    insightDetails: {
      state: i % 2 ? "End" : "Start",
      eventSource: "ssm.amazonaws.com",
      eventName,
      insightType: "ApiCallRateInsight",
    },
    eventCategory: "Insight",
  });

  it("returns Insights events only with EventCategory insight", () => {
    const h = tempHistory();
    try {
      const management = generated(200, {
        seed: 4,
        end: NOW,
        start: new Date(NOW.getTime() - DAY),
        regions: [["us-east-1", 1]],
      });
      const insights = [
        insight(1, "UpdateInstanceInformation", "2024-12-31T10:00:00Z"),
        insight(2, "UpdateInstanceInformation", "2024-12-31T10:05:00Z"),
        insight(3, "SendCommand", "2024-12-31T11:00:00Z"),
      ];
      h.index.apply(logRecords([...management, ...insights]));
      const all = lookupAll(h.index, { EventCategory: "insight" });
      assert.deepEqual(
        all,
        [insights[2], insights[1], insights[0]].map((e) => e?.eventID),
      );
      const byName = lookupAll(h.index, {
        EventCategory: "insight",
        LookupAttributes: attr("EventName", "UpdateInstanceInformation"),
      });
      assert.deepEqual(
        byName,
        [insights[1], insights[0]].map((e) => e?.eventID),
      );
      assert.deepEqual(
        lookupAll(h.index, {
          EventCategory: "insight",
          LookupAttributes: attr("EventId", insights[2]?.eventID ?? ""),
        }),
        [insights[2]?.eventID],
      );
      const managementIds = lookupAll(h.index, {});
      assert.equal(managementIds.length, 200);
      assert.ok(insights.every((e) => !managementIds.includes(e.eventID)));
    } finally {
      h.close();
    }
  });

  it("combines lookup attributes with AND when combineAttributes is on", () => {
    const h = tempHistory({ combineAttributes: true });
    try {
      const events = generated(3000, { seed: 8, end: NOW, start: new Date(NOW.getTime() - 30 * DAY) });
      h.index.apply(logRecords(events));
      const f = eventFields(events[1234] as CloudTrailEvent);
      const combos = [
        [...attr("Username", f?.username ?? ""), ...attr("ReadOnly", String(f?.readOnly))],
        [
          ...attr("EventSource", f?.eventSource ?? ""),
          ...attr("EventName", f?.eventName ?? ""),
          ...attr("AccessKeyId", f?.accessKeyId ?? ""),
        ],
        [...attr("EventName", "ListUsers"), ...attr("EventName", "GetUser")],
      ];
      for (const LookupAttributes of combos) {
        for (const MaxResults of [1, 7, 50]) {
          const got = lookupAll(h.index, { LookupAttributes, MaxResults });
          assert.deepEqual(
            got,
            expectedIds(seeded(events), { ...MAIN, ...WINDOW, attributes: LookupAttributes }),
          );
        }
      }
    } finally {
      h.close();
    }
  });
});
