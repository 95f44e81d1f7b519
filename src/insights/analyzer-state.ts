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
/** One series' in-flight state. */
interface SeriesStateJson {
  tallies: Array<[number, TallyJson]>;
  insight?: InsightJson;
}
/** The whole in-flight state in one document, as checkpoints saved it before. */
interface LegacyVolatileJson {
  closedThrough: number;
  series: Array<{ id: number } & SeriesStateJson>;
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
 * a few entries per active series, saved per series, and only for the series that changed since
 * the last checkpoint: all of them every second was hundreds of KB of JSON, and a stall of the
 * event loop, with a couple of thousand series.
 *
 * Returns [series id, state] for each series given (those `takeChangedSeries` returned); null
 * when one has no state left to keep.
 */
export function seriesStates(changed: Iterable<Series>): Array<[number, string | null]> {
  const out: Array<[number, string | null]> = [];
  for (const s of changed) {
    if (s.tallies.size === 0 && !s.insight) {
      out.push([s.id, null]);
      continue;
    }
    const state: SeriesStateJson = {
      tallies: [...s.tallies].map(([m, t]) => [m, tallyJson(t)]),
      insight: s.insight && insightJson(s.insight),
    };
    out.push([s.id, JSON.stringify(state)]);
  }
  return out;
}

/** Restores the saved in-flight state: the clock, then each series' state. */
export function loadSeriesStates(
  a: InsightsAnalyzer,
  closedThrough: number | undefined,
  states: Iterable<[number, string]>,
): void {
  if (closedThrough !== undefined) a.restoreClock(closedThrough);
  for (const [id, json] of states) restoreSeriesState(a, id, JSON.parse(json) as SeriesStateJson);
}

/**
 * Restores the in-flight state from a data folder whose checkpoints saved it as one document;
 * every series restored is marked changed, so the next checkpoint saves it per series.
 */
export function loadLegacyVolatile(a: InsightsAnalyzer, json: string | undefined): void {
  if (!json) return;
  const v = JSON.parse(json) as LegacyVolatileJson;
  a.restoreClock(v.closedThrough);
  for (const entry of v.series) {
    const s = restoreSeriesState(a, entry.id, entry);
    if (s) a.markChanged(s);
  }
}

function restoreSeriesState(a: InsightsAnalyzer, id: number, state: SeriesStateJson): Series | undefined {
  const s = a.seriesById(id);
  if (!s) return undefined;
  for (const [m, t] of state.tallies) {
    s.tallies.set(m, tallyOf(t));
    if (m > a.closedThrough) a.markPending(s, m);
  }
  if (state.insight) {
    s.insight = insightOf(state.insight);
    a.markOpen(s);
  }
  return s;
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
