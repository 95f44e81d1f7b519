import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LookupAttribute } from "@aws-sdk/client-cloudtrail";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import type { LogRecord } from "../log/types.js";
import { eventFields } from "./event-fields.js";
import { HistoryIndex, type HistoryScope } from "./history-index.js";
import { expectedIds, generated, ids, logRecords, realData, seeded, tempHistory } from "./test-support.js";

const DAY = 86_400_000;
const NOW = new Date("2025-01-01T00:00:00Z");
const MAIN: HistoryScope = { accountId: "111122223333", region: "us-east-1" };
const oneRegion = { regions: [["us-east-1", 1]] as Array<[string, number]> };

function everything(index: HistoryIndex, scope = MAIN, now = NOW, StartTime?: Date): string[] {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = index.lookupEvents({ NextToken: token, StartTime }, scope, now);
    out.push(...ids(page.Events));
    token = page.NextToken;
  } while (token);
  return out;
}

describe("HistoryIndex as a log consumer", () => {
  it("is idempotent: applying records again changes nothing", () => {
    const h = tempHistory({ flushEvents: 500 });
    try {
      const records = logRecords(generated(1200, { seed: 1, end: NOW, ...oneRegion }));
      h.index.apply(records.slice(0, 800));
      h.index.apply(records.slice(400, 1200));
      const once = { stats: h.index.stats(), all: everything(h.index), cursor: h.index.cursor().load() };
      h.index.apply(records);
      h.index.apply(records.slice(100, 300));
      assert.deepEqual(
        { stats: h.index.stats(), all: everything(h.index), cursor: h.index.cursor().load() },
        once,
      );
      assert.equal(once.cursor, 1200);
      assert.equal(once.all.length, 1200);
    } finally {
      h.close();
    }
  });

  it("skips data events and non-events but moves the cursor past them", () => {
    const h = tempHistory();
    try {
      const [a, b] = generated(2, { seed: 2, end: NOW, ...oneRegion }) as [CloudTrailEvent, CloudTrailEvent];
      const data = { ...b, eventID: "data-event", eventCategory: "Data", managementEvent: false };
      const records: LogRecord[] = [
        ...logRecords([a, data]),
        { seq: 2, payload: Buffer.from("not json") },
        ...logRecords([b], 3),
      ];
      h.index.apply(records);
      assert.equal(h.index.cursor().load(), 4);
      assert.deepEqual(new Set(everything(h.index)), new Set([a.eventID, b.eventID]));
    } finally {
      h.close();
    }
  });

  it("keeps history and cursor across a restart, and after a crash that lost the in-memory index", () => {
    const h = tempHistory({ flushEvents: 700 });
    try {
      const events = generated(2000, { seed: 3, end: NOW, ...oneRegion });
      h.index.apply(logRecords(events.slice(0, 1000)));
      const want = expectedIds(seeded(events.slice(0, 1000)), {
        ...MAIN,
        start: NOW.getTime() - 90 * DAY,
        end: NOW.getTime(),
      });
      assert.deepEqual(everything(h.reopen()), want);
      assert.equal(h.index.cursor().load(), 1000);
      // A crash: the process dies with unflushed index entries (flushEvents not reached).
      h.index.apply(logRecords(events.slice(1000, 1300), 1000));
      const crashed = h.index;
      h.index = HistoryIndex.open({ path: h.path });
      (crashed as unknown as { db: { close(): void } }).db.close();
      assert.equal(h.index.cursor().load(), 1300);
      const all = expectedIds(seeded(events.slice(0, 1300)), {
        ...MAIN,
        start: NOW.getTime() - 90 * DAY,
        end: NOW.getTime(),
      });
      assert.deepEqual(everything(h.index), all);
      h.index.apply(logRecords(events.slice(1300), 1300));
      assert.deepEqual(
        everything(h.reopen()),
        expectedIds(seeded(events), { ...MAIN, start: NOW.getTime() - 90 * DAY, end: NOW.getTime() }),
      );
    } finally {
      h.close();
    }
  });

  it("rolls a failed batch back completely, so the retry applies it exactly once", () => {
    const h = tempHistory();
    try {
      const records = logRecords(generated(300, { seed: 4, end: NOW, ...oneRegion }));
      h.index.apply(records.slice(0, 100));
      const poisoned = [
        ...records.slice(100, 200),
        {
          seq: 200,
          payload: {
            toString: () => {
              throw new Error("disk on fire");
            },
          } as unknown as Buffer,
        },
      ];
      assert.throws(() => h.index.apply(poisoned), /disk on fire/);
      assert.equal(h.index.cursor().load(), 100);
      assert.equal(everything(h.index).length, 100);
      h.index.apply(records.slice(100));
      assert.equal(everything(h.index).length, 300);
      assert.equal(h.index.stats().events, 300);
    } finally {
      h.close();
    }
  });

  it("stores the cursor in the database: save() only moves it forward", () => {
    const h = tempHistory();
    try {
      const cursor = h.index.cursor();
      assert.equal(cursor.load(), 0);
      void cursor.save(42);
      void cursor.save(7);
      assert.equal(h.reopen().cursor().load(), 42);
    } finally {
      h.close();
    }
  });
});

describe("HistoryIndex retention", () => {
  it("deletes events older than retentionDays by eventTime, and ignores older records later", () => {
    const h = tempHistory({ retentionDays: 30, flushEvents: 400 });
    try {
      const events = generated(1500, {
        seed: 5,
        start: new Date(NOW.getTime() - 60 * DAY),
        end: NOW,
        ...oneRegion,
      });
      h.index.apply(logRecords(events.slice(0, 1000)));
      h.index.apply(logRecords(events.slice(1000), 1000));
      const cutoff = NOW.getTime() - 30 * DAY;
      const old = events.filter((e) => Date.parse(e.eventTime) < cutoff);
      const deleted = h.index.enforceRetention(NOW);
      assert.equal(deleted, old.length);
      assert.equal(h.index.stats().events, events.length - old.length);
      const all = everything(h.index, MAIN, NOW, new Date(NOW.getTime() - 365 * DAY));
      assert.deepEqual(all, expectedIds(seeded(events), { ...MAIN, start: cutoff, end: NOW.getTime() }));
      const oldOne = old[10] as CloudTrailEvent;
      const byId = h.index.lookupEvents(
        {
          LookupAttributes: [{ AttributeKey: "EventId", AttributeValue: oldOne.eventID }],
          StartTime: new Date(0),
        },
        MAIN,
        NOW,
      );
      assert.deepEqual(byId.Events, []);
      const user = eventFields(oldOne)?.username ?? "";
      const byUser = h.index.lookupEvents(
        { LookupAttributes: [{ AttributeKey: "Username", AttributeValue: user }], StartTime: new Date(0) },
        MAIN,
        NOW,
      );
      assert.ok(ids(byUser.Events).every((id) => !old.some((e) => e.eventID === id)));
      h.index.apply(logRecords([oldOne], 1500));
      assert.equal(h.index.stats().events, events.length - old.length);
      assert.equal(h.reopen().enforceRetention(NOW), 0);
      assert.equal(h.index.cursor().load(), 1501);
    } finally {
      h.close();
    }
  });
});

describe("HistoryIndex with real CloudTrail records", () => {
  it("indexes every real record under its own account and region and finds it by each attribute", () => {
    const { all, invictus } = realData();
    const h = tempHistory({ retentionDays: 3650 });
    try {
      h.index.apply(logRecords(all));
      const s = seeded(all);
      const now = new Date("2025-01-01T00:00:00Z");
      const window = { start: 0, end: now.getTime() };
      const scopes = new Map(
        all.map((r) => [
          `${r.recipientAccountId}/${r.awsRegion}`,
          { accountId: r.recipientAccountId as string, region: r.awsRegion },
        ]),
      );
      for (const scope of scopes.values()) {
        assert.deepEqual(
          everything(h.index, scope, now, new Date(0)),
          expectedIds(s, { ...scope, ...window }),
          JSON.stringify(scope),
        );
      }
      const scope = { accountId: "123837392027", region: "us-east-1" };
      for (const record of [invictus[0], invictus[700], invictus[2899]] as CloudTrailEvent[]) {
        const f = eventFields(record);
        const lookups: Array<[string, string | undefined]> = [
          ["EventId", f?.eventId],
          ["EventName", f?.eventName],
          ["EventSource", f?.eventSource],
          ["Username", f?.username],
          ["AccessKeyId", f?.accessKeyId],
          ["ReadOnly", String(f?.readOnly)],
          ["ResourceName", f?.resources[0]?.name],
          ["ResourceType", f?.resources[0]?.type],
        ];
        for (const [key, value] of lookups) {
          if (value === undefined) continue;
          const attributes = [{ AttributeKey: key, AttributeValue: value }] as LookupAttribute[];
          const got: string[] = [];
          let token: string | undefined;
          do {
            const page = h.index.lookupEvents(
              { LookupAttributes: [...attributes], StartTime: new Date(0), NextToken: token },
              scope,
              now,
            );
            got.push(...ids(page.Events));
            token = page.NextToken;
          } while (token);
          assert.deepEqual(
            got,
            expectedIds(s, { ...scope, ...window, attributes: [...attributes] }),
            `${key}=${value}`,
          );
        }
      }
      const page = h.index.lookupEvents({ StartTime: new Date(0), MaxResults: 50 }, scope, now);
      for (const e of page.Events ?? [])
        assert.equal(e.CloudTrailEvent, JSON.stringify(invictus.find((r) => r.eventID === e.EventId)));
      assert.ok(h.index.stats().databaseBytes < all.length * 1200);
    } finally {
      h.close();
    }
  });
});
