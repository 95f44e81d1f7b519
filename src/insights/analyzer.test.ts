import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pairInsights } from "../../bench/support/insight-scoring.js";
import { createTraffic } from "../../bench/support/traffic-generator.js";
import { Recorder } from "../recorder/recorder.js";
import { DEFAULT_ANALYZER, InsightsAnalyzer } from "./analyzer.js";
import { hourBaseline, isWeekend, recurringLevel, robustStats } from "./baseline.js";
import { DEFAULT_DETECTOR, isQuiet, startThreshold } from "./detector.js";
import type { InsightTransition } from "./insight-lifecycle.js";
import { MinuteRing } from "./minute-ring.js";
import { emptyScan, fromEvent } from "./scan-event.js";
import { TopCounter, topAverages } from "./top-counter.js";

const DAY = 1440;

describe("analyzer building blocks", () => {
  test("MinuteRing: unwritten minutes read 0, skipped minutes are zeroed, old ones fall out", () => {
    const r = new MinuteRing(10);
    r.set(5, 3);
    r.set(7, 4);
    assert.deepEqual([r.get(5), r.get(6), r.get(7), r.get(8)], [3, 0, 4, 0]);
    r.set(16, 9); // minutes 8..16 overwrite slots of 0..6 (zeroed)
    assert.deepEqual([r.get(5), r.get(7), r.get(16), r.get(15)], [0, 4, 9, 0]);
    assert.equal(r.sum(7, 17), 13);
  });

  test("robustStats: median and MAD ignore a burst; σ has Poisson and absolute floors", () => {
    const cases: Array<[number[], { median: number; sigma: number }]> = [
      [[5, 5, 5, 5, 5, 5, 5, 5, 5, 500], { median: 5, sigma: Math.sqrt(5) }],
      [[0, 0, 0, 0], { median: 0, sigma: 0.5 }],
      [[1, 2, 3, 4, 5, 6, 7, 8, 9], { median: 5, sigma: 1.4826 * 2 }],
    ];
    for (const [samples, want] of cases) {
      const got = robustStats(Float64Array.from(samples));
      assert.equal(got.median, want.median);
      assert.ok(Math.abs(got.sigma - want.sigma) < 1e-9, `${samples}: ${got.sigma}`);
    }
  });

  test("hourBaseline compares an hour with the same hour of earlier days, of the same kind", () => {
    const r = new MinuteRing(8 * DAY + 120);
    const monday = 19723 * DAY; // 2024-01-01, a Monday
    for (let m = monday; m < monday + 7 * DAY; m++) {
      const hour = Math.floor((m % DAY) / 60);
      const weekend = isWeekend(Math.floor(m / DAY));
      r.set(m, hour === 15 ? (weekend ? 4 : 20) : 2);
    }
    for (let m = monday + DAY + 14 * 60; m < monday + DAY + 15 * 60; m++) r.set(m, 500); // a past burst
    const scratch = new Float64Array(20 * DAY);
    const nextMonday = monday + 7 * DAY;
    assert.equal(hourBaseline(r, nextMonday + 15 * 60 + 5, 7 * DAY, monday, scratch).median, 20);
    assert.equal(hourBaseline(r, nextMonday + 3 * 60, 7 * DAY, monday, scratch).median, 2);
    assert.equal(hourBaseline(r, nextMonday + 14 * 60, 7 * DAY, monday, scratch).median, 2);
    const sunday = monday + 6 * DAY;
    assert.equal(hourBaseline(r, sunday + 15 * 60 + 5, 6 * DAY, monday, scratch).median, 20);
    r.set(sunday + 15 * 60 + 59, 4);
    const nextSunday = sunday + 7 * DAY;
    for (let m = sunday + DAY; m < nextSunday; m++) r.set(m, r.get(m - 7 * DAY));
    assert.equal(hourBaseline(r, nextSunday + 15 * 60 + 5, 7 * DAY, monday, scratch).median, 4);
  });

  test("recurringLevel finds a job that bursts at the same minute every day", () => {
    const r = new MinuteRing(8 * DAY + 120);
    for (let d = 0; d < 5; d++) for (let m = 0; m < 4; m++) r.set(d * DAY + 120 + m + (d % 2), 30);
    assert.equal(recurringLevel(r, 5 * DAY + 121, 7 * DAY, 0), 30);
    assert.equal(recurringLevel(r, 5 * DAY + 600, 7 * DAY, 0), 0);
    assert.equal(recurringLevel(r, DAY + 121, 7 * DAY, 0), 30, "one earlier day is enough");
    assert.equal(recurringLevel(r, 121, 7 * DAY, 0), 0, "no earlier day: no pattern");
  });

  test("startThreshold: the largest of the minimum volume, the ratio and the z-score", () => {
    const b = (median: number, sigma: number) => ({ median, mean: median, sigma, samples: 60 });
    const d = DEFAULT_DETECTOR;
    assert.equal(startThreshold(0, b(0, 0.5), 1, d), d.minCount1);
    assert.equal(startThreshold(0, b(0, 0.5), 2, d), d.minCount2);
    assert.equal(startThreshold(100, b(100, 10), 1, d), 300);
    assert.equal(startThreshold(20, b(20, 10), 1, d), 20 + d.z1 * 10);
    assert.ok(isQuiet(20 + d.zEnd * 10, 20, b(20, 10), d));
    assert.ok(!isQuiet(21 + d.zEnd * 10, 20, b(20, 10), d));
  });

  test("TopCounter keeps the heavy hitters within its capacity; topAverages sorts and rounds", () => {
    const t = new TopCounter(3);
    for (let i = 0; i < 100; i++) t.add("hot");
    for (let i = 0; i < 50; i++) t.add(`cold-${i}`);
    t.add("warm", 40);
    assert.ok(t.size <= 3);
    assert.deepEqual(
      topAverages(t.counts, 10, 2).map((v) => v.value),
      ["hot", "warm"],
    );
    assert.deepEqual(topAverages(new Map([["a", 1]]), 3), [{ value: "a", average: 0.3333333333 }]);
  });
});

function run(days: number, enabled = true) {
  const traffic = createTraffic({
    start: new Date(Date.UTC(2024, 0, 1)),
    days,
    warmupDays: 1.2,
    anomaliesPerDay: 8,
    seed: 3,
  });
  const settings = {
    ...DEFAULT_ANALYZER,
    baselineMinutes: DAY,
    detector: { ...DEFAULT_DETECTOR, minHistoryMinutes: DAY },
  };
  const analyzer = new InsightsAnalyzer(settings, { enabled: () => enabled });
  const recorder = new Recorder({ append: async () => 0 });
  const scan = emptyScan();
  const transitions: InsightTransition[] = [];
  for (const minute of traffic.minutes()) {
    for (const d of minute) {
      const e = fromEvent(recorder.prepare(d), scan);
      if (e) analyzer.ingest(e);
    }
    transitions.push(...analyzer.takeTransitions());
  }
  analyzer.advance(traffic.endMs + 3_600_000);
  transitions.push(...analyzer.takeTransitions());
  return { traffic, transitions, analyzer };
}

describe("analyzer on generated traffic (1-day baseline)", () => {
  const { traffic, transitions } = run(2.5);

  test("Start and End come in pairs sharing sharedEventID, with their own eventIDs", () => {
    const byShared = new Map<string, InsightTransition[]>();
    for (const t of transitions) byShared.set(t.sharedEventID, [...(byShared.get(t.sharedEventID) ?? []), t]);
    assert.ok(byShared.size >= 5, `only ${byShared.size} Insights`);
    for (const [, pair] of byShared) {
      assert.deepEqual(
        pair.map((t) => t.state),
        ["Start", "End"],
      );
      const [start, end] = pair as [InsightTransition, InsightTransition];
      assert.notEqual(start.eventID, end.eventID);
      assert.ok(end.eventTimeMs > start.eventTimeMs);
      assert.ok(start.decidedAtMs >= start.eventTimeMs, "decided after the rise began");
      const stats = (end.insightDetails.insightContext as { statistics: { insightDuration: number } })
        .statistics;
      assert.equal(stats.insightDuration, (end.eventTimeMs - start.eventTimeMs) / 60_000);
    }
  });

  test("insightDetails has CloudTrail's fields in CloudTrail's order", () => {
    for (const t of transitions) {
      const d = t.insightDetails as Record<string, unknown>;
      const expected = ["state", "eventSource", "eventName", "insightType"];
      if (t.key.insightType === "ApiErrorRateInsight") expected.push("errorCode");
      expected.push("sourceEventCategory", "insightContext");
      assert.deepEqual(Object.keys(d), expected);
      const ctx = d.insightContext as {
        statistics: object;
        attributions: Array<{ attribute: string; insight: unknown[]; baseline: unknown[] }>;
      };
      assert.deepEqual(Object.keys(ctx.statistics), [
        "baseline",
        "insight",
        "insightDuration",
        "baselineDuration",
      ]);
      const attributes = ctx.attributions.map((a) => a.attribute);
      assert.deepEqual(
        attributes,
        t.key.insightType === "ApiCallRateInsight"
          ? ["userIdentityArn", "userAgent", "errorCode"]
          : ["userIdentityArn", "userAgent"],
      );
      for (const a of ctx.attributions) {
        assert.ok(a.insight.length <= 5 && a.baseline.length <= 5);
      }
    }
  });

  test("no Insight before a day of history; anomalies are found and attributed to their caller", () => {
    const observed = pairInsights(transitions);
    assert.ok(observed.every((o) => o.startMs >= traffic.startMs + DAY * 60_000));
    const target = traffic.anomalies.filter((a) => a.ratio >= 5 && a.minutes >= 3);
    assert.ok(target.length >= 4);
    for (const a of target) {
      const hit = observed.find(
        (o) =>
          o.eventName === a.eventName &&
          o.insightType === a.insightType &&
          o.startMs < a.endMs + 120_000 &&
          o.endMs > a.startMs,
      );
      assert.ok(hit, `missed ${a.kind} on ${a.eventName} at ${new Date(a.startMs).toISOString()}`);
      assert.ok(hit.decidedAtMs - a.startMs <= 120_000, `late by ${(hit.decidedAtMs - a.startMs) / 1000} s`);
      if (a.kind !== "call-burst") assert.equal(hit.topIdentity, a.identityArn);
    }
  });

  test("nothing is emitted where Insights are off", () => {
    assert.deepEqual(run(1.5, false).transitions, []);
  });
});
