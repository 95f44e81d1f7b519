import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createTraffic } from "../../bench/support/traffic-generator.js";
import { silentLogger } from "../config/logger.js";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { EventLog } from "../log/index.js";
import type { EventDraft } from "../recorder/event-sink.js";
import { Recorder } from "../recorder/recorder.js";
import type { TrailInsightSettings } from "../trails/index.js";
import { DEFAULT_ANALYZER, InsightsAnalyzer } from "./analyzer.js";
import { seriesStates } from "./analyzer-state.js";
import { insightsEnabled } from "./insight-sources.js";
import { InsightsConsumer } from "./insights-consumer.js";
import { InsightsStore } from "./insights-store.js";

const DAY = 1440;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "opentrail-insights-"));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const trail: TrailInsightSettings = {
  trailArn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/T",
  name: "T",
  accountId: "123456789012",
  homeRegion: "us-east-1",
  isMultiRegionTrail: false,
  isLogging: true,
  insightSelectors: [{ InsightType: "ApiCallRateInsight" }, { InsightType: "ApiErrorRateInsight" }],
};
let sources = { trails: () => [trail] };

async function open(
  dir: string,
  log: EventLog,
): Promise<{ consumer: InsightsConsumer; store: InsightsStore; analyzer: InsightsAnalyzer }> {
  const store = new InsightsStore(join(dir, "insights.db"));
  const settings = {
    ...DEFAULT_ANALYZER,
    baselineMinutes: DAY,
    detector: { ...DEFAULT_ANALYZER.detector, minHistoryMinutes: DAY },
  };
  const analyzer = new InsightsAnalyzer(settings, { enabled: (k) => insightsEnabled(sources, k) });
  const consumer = await InsightsConsumer.open({
    log,
    store,
    analyzer,
    recorder: new Recorder(log),
    sources,
    logger: silentLogger,
    retentionMinutes: 15 * DAY,
  });
  consumer.start();
  return { consumer, store, analyzer };
}

/** The Insights events in a log, in log order. */
function insightRecords(log: EventLog): CloudTrailEvent[] {
  const out: CloudTrailEvent[] = [];
  for (let seq = log.startSeq; seq < log.endSeq; ) {
    const records = log.read(seq, 4096);
    for (const r of records) {
      const e = JSON.parse(r.payload.toString()) as CloudTrailEvent;
      if (e.eventCategory === "Insight") out.push(e);
    }
    seq = (records.at(-1)?.seq ?? seq) + 1;
  }
  return out;
}

/**
 * The in-flight state of a store rewritten as checkpoints saved it before it was kept per
 * series: one JSON document in meta.
 */
function toLegacyState(store: InsightsStore): void {
  const series = [...store.seriesStates()].map(([id, state]) => ({ id, ...JSON.parse(state) }));
  const db = store.db;
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('volatile', ?)").run(
    JSON.stringify({ closedThrough: store.closedThrough(), series }),
  );
  db.prepare("DELETE FROM series_state").run();
  db.prepare("DELETE FROM meta WHERE key = 'closedThrough'").run();
}

async function replay(stopAt: number[], opts: { legacy?: boolean } = {}): Promise<CloudTrailEvent[]> {
  const dir = tempDir();
  const log = await EventLog.open({ dir: join(dir, "log"), fsync: false });
  const recorder = new Recorder(log);
  const traffic = createTraffic({
    start: new Date(Date.UTC(2024, 0, 1)),
    days: 2.3,
    warmupDays: 1.1,
    anomaliesPerDay: 10,
    volume: 0.2,
    seed: 5,
  });
  let { consumer, store } = await open(dir, log);
  let minute = 0;
  for (const drafts of traffic.minutes()) {
    await recorder.recordBatch(drafts as EventDraft[]);
    if (stopAt.includes(++minute)) {
      await consumer.caughtUp(log.endSeq);
      await consumer.stop();
      if (opts.legacy) toLegacyState(store);
      store.close();
      ({ consumer, store } = await open(dir, log));
    }
  }
  await consumer.caughtUp(log.endSeq);
  await consumer.stop();
  store.close();
  const records = insightRecords(log);
  await log.close();
  return records;
}

describe("Insights state across restarts", () => {
  test("restarts in the middle decide exactly what an uninterrupted run decides", async () => {
    const straight = await replay([]);
    assert.ok(straight.length >= 6, `${straight.length} Insights events`);
    const key = (events: CloudTrailEvent[]) => events.map((e) => [e.eventID, e.eventTime, e.insightDetails]);
    // The state each restart reloads was saved per series, each at its own last change.
    const restarted = await replay([Math.round(1.3 * DAY), Math.round(1.5 * DAY), Math.round(1.8 * DAY)]);
    assert.deepEqual(key(restarted), key(straight));
    // A data folder whose state was saved the old way, as one document, carries on the same.
    const migrated = await replay([Math.round(1.5 * DAY)], { legacy: true });
    assert.deepEqual(key(migrated), key(straight));
  });

  test("a checkpoint saves the in-flight state of the series that changed, and only those", async () => {
    const dir = tempDir();
    const log = await EventLog.open({ dir: join(dir, "log"), fsync: false });
    const recorder = new Recorder(log);
    const traffic = createTraffic({
      start: new Date(Date.UTC(2024, 0, 1)),
      days: 0.2,
      warmupDays: 0.1,
      volume: 0.2,
      seed: 9,
    });
    const { consumer, store, analyzer } = await open(dir, log);
    // What the store holds is the whole in-flight state of every series, as if saved afresh.
    const assertSaved = () => {
      const fresh = seriesStates(analyzer.allSeries()).filter(([, state]) => state !== null);
      assert.deepEqual(new Map(store.seriesStates()), new Map(fresh));
    };
    try {
      for (const drafts of traffic.minutes()) await recorder.recordBatch(drafts as EventDraft[]);
      await consumer.caughtUp(log.endSeq);
      await consumer.flush();
      const before = new Map(store.seriesStates());
      assert.ok(before.size > 10, `${before.size} series with state`);
      assertSaved();
      // One more call of one series, a few seconds later (its minute still open).
      const last = JSON.parse(log.read(log.endSeq - 1, 1)[0]?.payload.toString() ?? "{}") as CloudTrailEvent;
      const changes = store.db.prepare("SELECT total_changes() AS n").pluck();
      await recorder.record(
        Object.assign({}, last, { eventID: undefined, requestID: undefined }) as EventDraft,
      );
      await consumer.caughtUp(log.endSeq);
      const n0 = changes.get() as number;
      await consumer.flush();
      const after = new Map(store.seriesStates());
      const changed = [...after].filter(([id, state]) => before.get(id) !== state);
      assert.ok(changed.length >= 1 && changed.length <= 2, `${changed.length} series changed`);
      // meta (cursor, clock), the changed states, and nothing per unchanged series.
      assert.ok((changes.get() as number) - n0 <= 8, `${(changes.get() as number) - n0} rows written`);
      assertSaved();
      // Time passes: the open minutes close, and the tallies kept for them go.
      await consumer.tick(Date.parse(last.eventTime) + 10 * 60_000);
      await consumer.flush();
      assertSaved();
    } finally {
      await consumer.stop();
      store.close();
      await log.close();
    }
  });

  test("data-event Insights are computed per trail, from the data events its selectors take", async () => {
    const dir = tempDir();
    const log = await EventLog.open({ dir: join(dir, "log"), fsync: false });
    const recorder = new Recorder(log);
    const dataTrail: TrailInsightSettings = {
      ...trail,
      eventSelectors: [
        {
          ReadWriteType: "All",
          IncludeManagementEvents: true,
          DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::watched/"] }],
        },
      ],
      insightSelectors: [{ InsightType: "ApiCallRateInsight", EventCategories: ["Data"] }],
    };
    sources = { trails: () => [dataTrail] };
    const { consumer, store } = await open(dir, log);
    const start = Date.UTC(2024, 0, 1);
    const getObject = (ms: number, bucket: string, who: string): EventDraft => ({
      userIdentity: {
        type: "AssumedRole",
        arn: `arn:aws:sts::123456789012:assumed-role/${who}`,
        accountId: "123456789012",
      },
      eventTime: new Date(ms),
      eventSource: "s3.amazonaws.com",
      eventName: "GetObject",
      awsRegion: "us-east-1",
      userAgent: "Boto3/1.34",
      requestParameters: { bucketName: bucket, key: "k" },
      responseElements: null,
      readOnly: true,
      resources: [{ type: "AWS::S3::Object", ARN: `arn:aws:s3:::${bucket}/k` }],
      eventType: "AwsApiCall",
      managementEvent: false,
      recipientAccountId: "123456789012",
      eventCategory: "Data",
    });
    for (let m = 0; m < 1.2 * DAY; m++) {
      const t = start + m * 60_000;
      const burst = m >= 1.1 * DAY && m < 1.1 * DAY + 5;
      const drafts = [getObject(t + 1000, "watched", "App/a"), getObject(t + 2000, "watched", "App/b")];
      for (let i = 0; i < (burst ? 60 : 0); i++)
        drafts.push(getObject(t + 3000 + i * 900, "watched", "Exfil/x"));
      for (let i = 0; i < (burst ? 60 : 0); i++)
        drafts.push(getObject(t + 3000 + i * 900, "other", "Exfil/x"));
      await recorder.recordBatch(drafts);
    }
    await consumer.caughtUp(log.endSeq);
    await consumer.stop();
    store.close();
    const events = insightRecords(log);
    sources = { trails: () => [trail] };
    assert.deepEqual(
      events.map((e) => (e.insightDetails as { state: string }).state),
      ["Start", "End"],
    );
    const d = events[0]?.insightDetails as Record<string, unknown>;
    assert.equal(d.sourceEventCategory, "Data");
    assert.equal(d.insightSource, trail.trailArn);
    assert.equal(d.eventName, "GetObject");
    const ctx = d.insightContext as {
      statistics: { insight: { average: number } };
      attributions: Array<{ attribute: string; insight: Array<{ value: string }> }>;
    };
    assert.equal(ctx.attributions[0]?.insight[0]?.value, "arn:aws:sts::123456789012:assumed-role/Exfil/x");
    assert.ok(ctx.statistics.insight.average < 70, "the other bucket's calls are not the trail's");
    await log.close();
  });

  test("after a crash between commit and record, the outbox records only what the log lacks", async () => {
    const dir = tempDir();
    const log = await EventLog.open({ dir: join(dir, "log"), fsync: false });
    const recorder = new Recorder(log);
    const draft = (n: number): EventDraft => ({
      eventTime: "2024-01-02T03:04:00Z",
      awsRegion: "us-east-1",
      eventID: `00000000-0000-5000-8000-00000000000${n}`,
      eventType: "AwsCloudTrailInsight",
      recipientAccountId: "123456789012",
      sharedEventID: "00000000-0000-5000-8000-000000000009",
      insightDetails: {
        state: n === 1 ? "Start" : "End",
        eventSource: "iam.amazonaws.com",
        eventName: "CreateUser",
        insightType: "ApiCallRateInsight",
        sourceEventCategory: "Management",
      },
      eventCategory: "Insight",
    });
    const store = new InsightsStore(join(dir, "insights.db"));
    store.checkpoint({
      cursor: 0,
      scopes: [],
      series: [],
      minutes: [],
      days: [],
      closedThrough: -1,
      seriesStates: [],
      outbox: [1, 2].map((n) => ({ eventId: draft(n).eventID as string, draft: JSON.stringify(draft(n)) })),
      logEnd: log.endSeq,
    });
    await recorder.record(draft(1)); // recorded, then the crash
    store.close();
    const reopened = await open(dir, log);
    await reopened.consumer.stop();
    assert.deepEqual(
      insightRecords(log).map((e) => e.eventID),
      [draft(1).eventID, draft(2).eventID],
    );
    assert.deepEqual(reopened.store.outbox(), []);
    assert.equal(
      [...reopened.store.events("123456789012", "us-east-1", 0, Number.MAX_SAFE_INTEGER)].length,
      2,
    );
    reopened.store.close();
    await log.close();
  });
});
