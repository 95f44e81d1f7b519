import type { InsightsAnalyzer } from "./analyzer.js";
import type { BaselineSide, DayTally, MinuteTally, OpenInsight, Series } from "./series.js";
import { TopCounter } from "./top-counter.js";

type Pairs = Array<[string, number]>;
interface TallyJson {
  c: number;
  i: Pairs;
  a: Pairs;
  e?: Pairs;
}
interface InsightJson {
  sharedEventID: string;
  startMinute: number;
  emitted: boolean;
  baselineAverage: number;
  baselineDuration: number;
  baseline: BaselineSide;
  total: number;
  identity: Pairs;
  agent: Pairs;
  error?: Pairs;
  held: TallyJson[];
  firstQuiet: number;
}
interface VolatileJson {
  closedThrough: number;
  series: Array<{ id: number; tallies: Array<[number, TallyJson]>; insight?: InsightJson }>;
}

const tallyJson = (t: MinuteTally): TallyJson => ({
  c: t.count,
  i: [...t.identity],
  a: [...t.agent],
  e: t.error ? [...t.error] : undefined,
});
const tallyOf = (j: TallyJson): MinuteTally => ({
  count: j.c,
  identity: new Map(j.i),
  agent: new Map(j.a),
  error: j.e ? new Map(j.e) : undefined,
});

/**
 * The analyzer's in-flight state (everything not in the minute and day tables): minutes not
 * closed yet, the last closed tallies a Start may look back on, and Insights in progress. It is
 * small, a few entries per active series, and saved whole with each checkpoint.
 */
export function saveVolatile(a: InsightsAnalyzer): string {
  const series: VolatileJson["series"] = [];
  for (const s of a.allSeries()) {
    if (s.tallies.size === 0 && !s.insight) continue;
    series.push({
      id: s.id,
      tallies: [...s.tallies].map(([m, t]) => [m, tallyJson(t)]),
      insight: s.insight && insightJson(s.insight),
    });
  }
  return JSON.stringify({ closedThrough: a.closedThrough, series } satisfies VolatileJson);
}

export function loadVolatile(a: InsightsAnalyzer, json: string | undefined): void {
  if (!json) return;
  const v = JSON.parse(json) as VolatileJson;
  a.restoreClock(v.closedThrough);
  for (const entry of v.series) {
    const s = a.seriesById(entry.id);
    if (!s) continue;
    for (const [m, t] of entry.tallies) {
      s.tallies.set(m, tallyOf(t));
      if (m > v.closedThrough) a.markPending(s, m);
    }
    if (entry.insight) {
      s.insight = insightOf(entry.insight);
      a.markOpen(s);
    }
  }
}

function insightJson(i: OpenInsight): InsightJson {
  return {
    sharedEventID: i.sharedEventID,
    startMinute: i.startMinute,
    emitted: i.emitted,
    baselineAverage: i.baselineAverage,
    baselineDuration: i.baselineDuration,
    baseline: i.baseline,
    total: i.total,
    identity: i.identity.toJSON(),
    agent: i.agent.toJSON(),
    error: i.error?.toJSON(),
    held: i.held.map(tallyJson),
    firstQuiet: i.firstQuiet,
  };
}

function insightOf(j: InsightJson): OpenInsight {
  return {
    ...j,
    identity: TopCounter.from(j.identity, 256),
    agent: TopCounter.from(j.agent, 256),
    error: j.error ? TopCounter.from(j.error, 256) : undefined,
    held: j.held.map(tallyOf),
  };
}

export function dayJson(d: DayTally): string {
  return JSON.stringify({
    total: d.total,
    i: d.identity.toJSON(),
    a: d.agent.toJSON(),
    e: d.error?.toJSON(),
  });
}

export function restoreDay(s: Series, day: number, json: string): void {
  const j = JSON.parse(json) as { total: number; i: Pairs; a: Pairs; e?: Pairs };
  s.days.set(day, {
    total: j.total,
    identity: TopCounter.from(j.i),
    agent: TopCounter.from(j.a),
    error: j.e ? TopCounter.from(j.e) : undefined,
  });
}
