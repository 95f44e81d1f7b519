import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import {
  type CloudTrailClient,
  CreateEventDataStoreCommand,
  GetInsightSelectorsCommand,
  GetQueryResultsCommand,
  ListInsightsDataCommand,
  ListInsightsMetricDataCommand,
  LookupEventsCommand,
  PutInsightSelectorsCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createTraffic, type LabelledAnomaly } from "../../bench/support/traffic-generator.js";
import { runInsights } from "../cli/insights-command.js";
import { resolveConfig } from "../config/config.js";
import { silentLogger } from "../config/logger.js";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { type OpenTrail, startOpenTrail } from "../main.js";
import type { EventDraft } from "../recorder/event-sink.js";
import { ADMIN, tempDir, writeIdentitiesFile } from "../test-support/fixtures.js";
import { cloudTrailClient, REPO_ROOT, s3TestClient } from "../test-support/server.js";
import { loggingTrail, trailArn, trailBucket } from "./test-support.js";

const exec = promisify(execFile);
const BUCKET = "insights-e2e-logs";
const TRAIL = "Insights";
const MINUTE = 60_000;

interface Pair {
  start: CloudTrailEvent;
  end?: CloudTrailEvent;
}

type Details = {
  eventName: string;
  insightType: string;
  errorCode?: string;
  insightContext: {
    statistics: { baseline: { average: number }; insight: { average: number }; insightDuration: number };
    attributions: Array<{
      attribute: string;
      insight: Array<{ value: string; average: number }>;
      baseline: Array<{ value: string }>;
    }>;
  };
};
const details = (e: CloudTrailEvent) => e.insightDetails as unknown as Details;

/**
 * Insights end to end: days of labelled traffic (bench/support/traffic-generator.ts) replayed
 * through the recorder of a running server, event time driving the analyzer
 * (OPENTRAIL_INSIGHTS_CLOCK=events, 1-day baseline), with a restart half way. The traffic is
 * stamped after the test's own setup calls so that event time only moves forward.
 */
describe("Insights end to end", () => {
  const dir = tempDir();
  const identities = writeIdentitiesFile(dir.path);
  const config = resolveConfig(
    { port: 0, host: "127.0.0.1", data: join(dir.path, "data"), identities, deliveryInterval: 1 },
    {
      OPENTRAIL_LOG_LEVEL: "silent",
      OPENTRAIL_INSIGHTS_CLOCK: "events",
      OPENTRAIL_INSIGHTS_BASELINE_DAYS: "1",
    },
  );
  let app: OpenTrail;
  let ct: CloudTrailClient;
  const traffic = createTraffic({
    start: new Date(Math.ceil(Date.now() / MINUTE) * MINUTE + 2 * MINUTE),
    days: 2.6,
    warmupDays: 1.2,
    anomaliesPerDay: 8,
    volume: 0.2,
    seed: 11,
  });
  const recorded: EventDraft[] = [];
  let insightStore = "";
  const pairs = new Map<string, Pair>();

  const replay = async (untilMs: number, minutes: Iterator<EventDraft[]>) => {
    let batch: EventDraft[] = [];
    for (let next = minutes.next(); !next.done; next = minutes.next()) {
      batch.push(...next.value);
      recorded.push(...next.value);
      if (batch.length >= 2000) {
        await app.recorder.recordBatch(batch);
        batch = [];
      }
      if (Date.parse(next.value.at(-1)?.eventTime as string) >= untilMs) break;
    }
    if (batch.length > 0) await app.recorder.recordBatch(batch);
    await app.insights.caughtUp(app.log.endSeq);
    await app.insights.flush();
  };

  before(async () => {
    app = await startOpenTrail(config, silentLogger);
    ct = cloudTrailClient(app.url);
    await trailBucket(app.url, BUCKET);
    await loggingTrail(ct, TRAIL, BUCKET);
    await ct.send(
      new PutInsightSelectorsCommand({
        TrailName: TRAIL,
        InsightSelectors: [{ InsightType: "ApiCallRateInsight" }, { InsightType: "ApiErrorRateInsight" }],
      }),
    );
    const source = await ct.send(new CreateEventDataStoreCommand({ Name: "management" }));
    const destination = await ct.send(
      new CreateEventDataStoreCommand({
        Name: "insights",
        AdvancedEventSelectors: [{ FieldSelectors: [{ Field: "eventCategory", Equals: ["Insight"] }] }],
      }),
    );
    insightStore = (destination.EventDataStoreArn as string).split("/").pop() as string;
    await ct.send(
      new PutInsightSelectorsCommand({
        EventDataStore: source.EventDataStoreArn,
        InsightsDestination: destination.EventDataStoreArn,
        InsightSelectors: [{ InsightType: "ApiCallRateInsight" }],
      }),
    );
    const minutes = traffic.minutes();
    await replay(traffic.startMs + 1.6 * 86_400_000, minutes);
    // A restart half way: the analyzer resumes from its saved state and the log.
    await app.stop();
    app = await startOpenTrail(config, silentLogger);
    ct.destroy();
    ct = cloudTrailClient(app.url);
    await replay(traffic.endMs, minutes);
    // The Insights events the analyzer appended reach LookupEvents through the history index.
    await app.historyCaughtUp(app.log.endSeq);
    let token: string | undefined;
    do {
      const page = await ct.send(
        new LookupEventsCommand({
          EventCategory: "insight",
          StartTime: new Date(traffic.startMs),
          EndTime: new Date(traffic.endMs),
          NextToken: token,
        }),
      );
      for (const e of page.Events ?? []) {
        const record = JSON.parse(e.CloudTrailEvent ?? "{}") as CloudTrailEvent;
        const pair = pairs.get(record.sharedEventID as string) ?? ({} as Pair);
        if (details(record) && (record.insightDetails as { state: string }).state === "Start")
          pair.start = record;
        else pair.end = record;
        pairs.set(record.sharedEventID as string, pair);
      }
      token = page.NextToken;
    } while (token);
  });
  after(async () => {
    ct?.destroy();
    await app?.stop();
    dir.remove();
  });

  const target = () => traffic.anomalies.filter((a) => a.ratio >= 5 && a.minutes >= 3);
  const insightFor = (a: LabelledAnomaly) =>
    [...pairs.values()].find((p) => {
      const d = details(p.start);
      const start = Date.parse(p.start.eventTime);
      const end = p.end ? Date.parse(p.end.eventTime) : Number.POSITIVE_INFINITY;
      return (
        d.eventName === a.eventName &&
        d.insightType === a.insightType &&
        (a.errorCode === undefined || d.errorCode === a.errorCode) &&
        start < a.endMs + 2 * MINUTE &&
        end > a.startMs
      );
    });

  test("Insights events are in event history (EventCategory=insight), in Start/End pairs", () => {
    assert.ok(pairs.size >= 4, `${pairs.size} Insights`);
    for (const [shared, p] of pairs) {
      // Traffic may stop while an Insight is still unusual (its minutes are stamped from the run's
      // wall-clock start, so where days and baselines fall moves between runs): only an Insight
      // that started in the traffic's last hour may still be open, as it would be in CloudTrail.
      if (!p.end) {
        assert.ok(Date.parse(p.start.eventTime) > traffic.endMs - 60 * MINUTE, `unpaired Insight ${shared}`);
        continue;
      }
      for (const e of [p.start, p.end]) {
        assert.deepEqual(Object.keys(e), [
          "eventVersion",
          "eventTime",
          "awsRegion",
          "eventID",
          "eventType",
          "recipientAccountId",
          "sharedEventID",
          "insightDetails",
          "eventCategory",
        ]);
        assert.equal(e.eventType, "AwsCloudTrailInsight");
        assert.equal(e.eventCategory, "Insight");
        assert.equal(e.recipientAccountId, ADMIN.accountId);
        assert.equal(e.awsRegion, "us-east-1");
      }
      assert.notEqual(p.start.eventID, p.end.eventID);
      assert.equal(
        details(p.end).insightContext.statistics.insightDuration,
        (Date.parse(p.end.eventTime) - Date.parse(p.start.eventTime)) / MINUTE,
      );
    }
  });

  test("every anomaly ≥ 5x lasting ≥ 3 minutes is an Insight, before and after the restart", () => {
    const found = target().filter(insightFor);
    assert.ok(
      target().some((a) => a.startMs > traffic.startMs + 1.6 * 86_400_000),
      "an anomaly after the restart",
    );
    assert.equal(found.length, target().length, "missed anomalies");
  });

  test("attributions name the caller behind an error storm or a new caller, with no baseline of its own", () => {
    for (const a of target().filter((x) => x.kind !== "call-burst")) {
      const p = insightFor(a) as Pair;
      const identity = details(p.start).insightContext.attributions.find(
        (x) => x.attribute === "userIdentityArn",
      );
      assert.equal(identity?.insight[0]?.value, a.identityArn);
      assert.ok(!identity?.baseline.some((b) => b.value === a.identityArn));
      const agent = details(p.start).insightContext.attributions.find((x) => x.attribute === "userAgent");
      assert.equal(agent?.insight[0]?.value, a.userAgent);
      if (!p.end) continue; // still open when the traffic stopped (see the pairs test)
      const end = details(p.end).insightContext.statistics;
      assert.ok(end.insight.average > 4 * Math.max(end.baseline.average, 0.5), JSON.stringify(end));
    }
  });

  test("the trail delivers them under CloudTrail-Insight/, and ListInsightsData lists them", async () => {
    await app.trails.caughtUp(trailArn(TRAIL), app.log.endSeq);
    const s3 = s3TestClient(app.url);
    const prefix = `AWSLogs/${ADMIN.accountId}/CloudTrail-Insight/us-east-1/`;
    const delivered = new Set<string>();
    try {
      const list = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
      for (const o of list.Contents ?? []) {
        assert.match(
          o.Key as string,
          new RegExp(
            `/${ADMIN.accountId}_CloudTrail-Insight_us-east-1_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`,
          ),
        );
        const body = await (
          await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key }))
        ).Body?.transformToByteArray();
        for (const r of JSON.parse(gunzipSync(body as Uint8Array).toString()).Records as CloudTrailEvent[]) {
          assert.equal(r.eventCategory, "Insight");
          delivered.add(r.eventID);
        }
      }
    } finally {
      s3.destroy();
    }
    const all = [...pairs.values()].flatMap((p) =>
      p.end ? [p.start.eventID, p.end.eventID] : [p.start.eventID],
    );
    assert.deepEqual([...delivered].sort(), all.sort());
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await ct.send(
        new ListInsightsDataCommand({
          InsightSource: trailArn(TRAIL),
          DataType: "InsightsEvents",
          MaxResults: 7,
          NextToken: token,
        }),
      );
      listed.push(...(page.Events ?? []).map((e) => e.EventId as string));
      token = page.NextToken;
    } while (token);
    assert.deepEqual([...listed].sort(), all.sort());
    const one = target()[0] as LabelledAnomaly;
    const byName = await ct.send(
      new ListInsightsDataCommand({
        InsightSource: trailArn(TRAIL),
        DataType: "InsightsEvents",
        Dimensions: { EventName: one.eventName },
      }),
    );
    assert.ok((byName.Events ?? []).length >= 2);
    assert.ok((byName.Events ?? []).every((e) => e.EventName === one.eventName));
  });

  test("an event data store that selects Insights events has them", async () => {
    await app.lake.caughtUp(insightStore, app.log.endSeq);
    const { QueryId } = await ct.send(
      new StartQueryCommand({ QueryStatement: `SELECT eventID FROM ${insightStore}` }),
    );
    await app.lake.settled(QueryId as string);
    const rows = await ct.send(new GetQueryResultsCommand({ QueryId, MaxQueryResults: 1000 }));
    const ids = (rows.QueryResultRows ?? []).map((r) => r[0]?.eventID as string);
    const all = [...pairs.values()].flatMap((p) =>
      p.end ? [p.start.eventID, p.end.eventID] : [p.start.eventID],
    );
    assert.deepEqual(ids.sort(), all.sort());
  });

  test("ListInsightsMetricData counts the calls per minute; the insight selectors survived the restart", async () => {
    const a = target().find((x) => x.kind === "new-caller") ?? (target()[0] as LabelledAnomaly);
    const from = a.startMs - 10 * MINUTE;
    const to = a.endMs + 10 * MINUTE;
    const out = await ct.send(
      new ListInsightsMetricDataCommand({
        EventSource: a.eventSource,
        EventName: a.eventName,
        InsightType: a.insightType,
        ErrorCode: a.errorCode,
        StartTime: new Date(from),
        EndTime: new Date(to),
        Period: 60,
        DataType: "FillWithZeros",
      }),
    );
    assert.equal(out.Timestamps?.length, (to - from) / MINUTE);
    const inWindow = recorded.filter((d) => {
      const t = Date.parse(d.eventTime as string);
      const counts =
        a.insightType === "ApiErrorRateInsight" ? d.errorCode === a.errorCode : d.readOnly === false;
      return d.eventName === a.eventName && t >= from && t < to && counts;
    });
    assert.equal(
      (out.Values ?? []).reduce((s, v) => s + v, 0),
      inWindow.length,
    );
    const selectors = await ct.send(new GetInsightSelectorsCommand({ TrailName: TRAIL }));
    assert.equal(selectors.InsightSelectors?.length, 2);
  });

  test("opentrail insights lists them with a chart of the rate against the baseline", async () => {
    const lines: string[] = [];
    await runInsights(ct, { days: 7, limit: 3, chart: true, endTime: new Date(traffic.endMs) }, (l) =>
      lines.push(l),
    );
    const text = lines.join("\n");
    assert.match(
      text,
      /^CLOSED {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z {2}\S+\.amazonaws\.com \w+ {2}Api(Call|Error)RateInsight/m,
    );
    assert.match(text, /vs baseline [\d.]+/);
    assert.match(text, /top caller arn:aws:/);
    assert.match(text, /┤[ ▁▂▃▄▅▆▇█·]*█/);
    assert.equal(lines.filter((l) => /^(OPEN|CLOSED)/.test(l)).length, 3);
    const end = new Date(traffic.endMs).toISOString();
    const cli = await exec(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO_ROOT, "src/cli/main.ts"),
        "insights",
        "--end-time",
        end,
        "--limit",
        "2",
        "--no-chart",
      ],
      {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          AWS_ENDPOINT_URL: app.url,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
          AWS_CONFIG_FILE: join(dir.path, "no-aws-config"),
          AWS_SHARED_CREDENTIALS_FILE: join(dir.path, "no-aws-credentials"),
        },
        timeout: 60_000,
      },
    );
    const heads = (text: string[]) => text.filter((l) => /^(OPEN|CLOSED)/.test(l));
    assert.deepEqual(heads(cli.stdout.split("\n")), heads(lines).slice(0, 2));
    assert.ok(!cli.stdout.includes("┤"));
  });
});
