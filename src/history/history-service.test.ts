import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import type { Principal } from "../iam/principal.js";
import { EventLog } from "../log/index.js";
import type { RequestContext } from "../server/request-context.js";
import { attachHistory, createHistoryService } from "./index.js";
import { generated, tempHistory } from "./test-support.js";

const NOW = new Date("2025-01-01T00:00:00Z");

function context(accountId: string, region: string): RequestContext {
  const principal: Principal = {
    type: "IAMUser",
    accountId,
    arn: `arn:aws:iam::${accountId}:user/ci`,
    principalId: "AIDAEXAMPLE",
    accessKeyId: "AKIAEXAMPLE",
    userName: "ci",
    admin: true,
  };
  return {
    requestId: "r-1",
    principal,
    region,
    service: "cloudtrail",
    sourceIPAddress: "127.0.0.1",
    userAgent: "test",
    receivedAt: NOW,
  };
}

describe("createHistoryService", () => {
  it("scopes LookupEvents to the caller's account and the request's region", async () => {
    const h = tempHistory();
    try {
      const events = generated(300, {
        seed: 1,
        end: NOW,
        accounts: ["111122223333", "444455556666"],
        regions: [
          ["us-east-1", 1],
          ["eu-west-1", 1],
        ],
      });
      h.index.apply(events.map((e, seq) => ({ seq, payload: Buffer.from(JSON.stringify(e)) })));
      const service = createHistoryService(h.index);
      for (const [account, region] of [
        ["111122223333", "eu-west-1"],
        ["444455556666", "us-east-1"],
      ] as const) {
        // A HistoryIndex answers with the object (a HistoryThread with its wire bytes).
        const out = (await service.LookupEvents(
          { MaxResults: 50 },
          context(account, region),
        )) as LookupEventsResponse;
        const want = events.filter((e) => e.recipientAccountId === account && e.awsRegion === region);
        assert.ok((out.Events?.length ?? 0) > 0);
        for (const e of out.Events ?? []) assert.ok(want.some((w) => w.eventID === e.EventId));
      }
      await assert.rejects(service.LookupEvents({ MaxResults: 0 }, context("111122223333", "us-east-1")), {
        name: "InvalidMaxResultsException",
      });
    } finally {
      h.close();
    }
  });
});

describe("attachHistory", () => {
  it("feeds the index from the event log exactly once, across restarts", async () => {
    const h = tempHistory();
    const logDir = join(h.dir.path, "log");
    try {
      const events = generated(500, { seed: 2, end: NOW, regions: [["us-east-1", 1]] });
      let log = await EventLog.open({ dir: logDir, fsync: false });
      await log.appendBatch(events.slice(0, 300).map((e) => Buffer.from(JSON.stringify(e))));
      let consumer = attachHistory(log, h.index, { clock: () => NOW });
      await consumer.caughtUp(300);
      assert.equal(h.index.cursor().load(), 300);
      await consumer.stop();
      await log.close();

      const index = h.reopen();
      log = await EventLog.open({ dir: logDir, fsync: false });
      consumer = attachHistory(log, index, { clock: () => NOW });
      await log.appendBatch(events.slice(300).map((e) => Buffer.from(JSON.stringify(e))));
      await consumer.caughtUp(500);
      await consumer.stop();
      await log.close();
      assert.equal(index.stats().events, 500);
      const page = index.lookupEvents(
        { MaxResults: 1 },
        { accountId: "111122223333", region: "us-east-1" },
        NOW,
      );
      assert.equal(page.Events?.[0]?.EventId, events.at(-1)?.eventID);
    } finally {
      h.close();
    }
  });

  it("gathers records that trickle in into one commit per interval, and still shows them soon", async () => {
    const h = tempHistory();
    const log = await EventLog.open({ dir: join(h.dir.path, "log"), fsync: false });
    const scope = { accountId: "111122223333", region: "us-east-1" };
    try {
      const events = generated(40, { seed: 4, end: NOW, regions: [["us-east-1", 1]] });
      const consumer = attachHistory(log, h.index, { clock: () => NOW, minCommitIntervalMs: 1000 });
      // The first record after a quiet spell is applied at once.
      const started = performance.now();
      await log.appendBatch([Buffer.from(JSON.stringify(events[0]))]);
      await consumer.caughtUp(1);
      assert.ok(performance.now() - started < 800);
      // Then one record per call: the next commit waits out the interval, and holds all of them.
      for (const e of events.slice(1)) await log.appendBatch([Buffer.from(JSON.stringify(e))]);
      assert.ok((h.index.lookupEvents({}, scope, NOW).Events?.length ?? 0) < events.length);
      await consumer.caughtUp(events.length);
      const waited = performance.now() - started;
      assert.ok(waited >= 900, `applied after ${waited} ms`);
      assert.ok(waited < 5000, `applied after ${waited} ms`);
      assert.equal(h.index.lookupEvents({}, scope, NOW).Events?.length, events.length);
      await consumer.stop();
    } finally {
      await log.close();
      h.close();
    }
  });

  it("runs retention at start", async () => {
    const h = tempHistory({ retentionDays: 1 });
    const log = await EventLog.open({ dir: join(h.dir.path, "log"), fsync: false });
    try {
      const events = generated(100, { seed: 3, start: new Date(NOW.getTime() - 3 * 86_400_000), end: NOW });
      h.index.apply(events.map((e, seq) => ({ seq, payload: Buffer.from(JSON.stringify(e)) })));
      await log.appendBatch(events.map((e) => Buffer.from(JSON.stringify(e))));
      const consumer = attachHistory(log, h.index, { clock: () => NOW });
      const kept = events.filter((e) => Date.parse(e.eventTime) >= NOW.getTime() - 86_400_000).length;
      assert.equal(h.index.stats().events, kept);
      await consumer.stop();
    } finally {
      await log.close();
      h.close();
    }
  });
});
