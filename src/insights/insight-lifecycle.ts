import type { JsonObject } from "../events/cloudtrail-event.js";
import { MINUTES_PER_DAY } from "./baseline.js";
import { type Attribution, insightDetails } from "./insight-details.js";
import type { BaselineSide, MinuteTally, OpenInsight, Series } from "./series.js";
import { type SeriesKey, stableUuid } from "./series-key.js";
import { TopCounter, topAverages } from "./top-counter.js";

/** A Start or End the analyzer decided, ready to become an Insights event. */
export interface InsightTransition {
  state: "Start" | "End";
  key: SeriesKey;
  sharedEventID: string;
  eventID: string;
  /** The record's eventTime: the first unusual minute (Start) or the first quiet one (End). */
  eventTimeMs: number;
  /** Event time at which the analyzer decided (detection delay = this − the rise). */
  decidedAtMs: number;
  insightDetails: JsonObject;
}

/**
 * Opens an Insight on `series` from `startMinute`, decided while `minute` was the latest minute
 * seen. The baseline covers the window before the start (at most `windowMinutes`, from when the
 * account was first seen); its average and attributions are per minute over that duration.
 * The Start's insight figures cover the unusual minutes seen so far, the last one possibly
 * still in progress.
 */
export function openInsight(
  series: Series,
  startMinute: number,
  minute: number,
  closedThrough: number,
  windowMinutes: number,
  emitted: boolean,
): OpenInsight {
  const from = Math.max(series.since, startMinute - windowMinutes);
  const baselineDuration = Math.max(0, startMinute - from);
  const baselineAverage = baselineDuration > 0 ? series.ring.sum(from, startMinute) / baselineDuration : 0;
  const baseline = baselineSide(series, from, startMinute, baselineDuration);
  const insight: OpenInsight = {
    sharedEventID: stableUuid(`${series.keyString}\n${startMinute}`),
    startMinute,
    emitted,
    baselineAverage,
    baselineDuration,
    baseline,
    total: 0,
    identity: new TopCounter(256),
    agent: new TopCounter(256),
    error: series.isCallRate ? new TopCounter(256) : undefined,
    held: [],
    firstQuiet: -1,
  };
  for (let m = startMinute; m <= Math.min(closedThrough, minute); m++) {
    const t = series.tallies.get(m);
    if (t) accumulate(insight, t);
  }
  return insight;
}

/**
 * Baseline attributions from the daily counters of the days the window touches, scaled to the
 * window's exact count so that, as in CloudTrail, an attribution covering every call (errorCode
 * "null" when nothing failed) has the same average as the baseline itself.
 */
function baselineSide(series: Series, from: number, to: number, minutes: number): BaselineSide {
  const identity = new TopCounter(1024);
  const agent = new TopCounter(1024);
  const error = series.isCallRate ? new TopCounter(1024) : undefined;
  let counted = 0;
  for (let d = Math.floor(from / MINUTES_PER_DAY); d <= Math.floor((to - 1) / MINUTES_PER_DAY); d++) {
    const day = series.days.get(d);
    if (!day) continue;
    counted += day.total;
    identity.merge(day.identity);
    agent.merge(day.agent);
    if (day.error) error?.merge(day.error);
  }
  const scale = counted > 0 ? series.ring.sum(from, to) / counted : 0;
  const side = (t: TopCounter) => (scale > 0 ? topAverages(t.counts, minutes / scale) : []);
  return {
    identity: side(identity),
    agent: side(agent),
    error: error ? side(error) : undefined,
  };
}

export function accumulate(insight: OpenInsight, t: MinuteTally): void {
  insight.total += t.count;
  insight.identity.merge(t.identity);
  insight.agent.merge(t.agent);
  if (t.error) insight.error?.merge(t.error);
}

function attributions(
  side: { identity: Map<string, number>; agent: Map<string, number>; error?: Map<string, number> },
  minutes: number,
  baseline: BaselineSide,
): Attribution[] {
  const out: Attribution[] = [
    {
      attribute: "userIdentityArn",
      insight: topAverages(side.identity, minutes),
      baseline: baseline.identity,
    },
    { attribute: "userAgent", insight: topAverages(side.agent, minutes), baseline: baseline.agent },
  ];
  // "Top error codes are not necessary for error rate Insights events."
  if (side.error && baseline.error)
    out.push({ attribute: "errorCode", insight: topAverages(side.error, minutes), baseline: baseline.error });
  return out;
}

/** The Start event: the unusual minutes so far, [startMinute, minute]. */
export function startTransition(
  series: Series,
  insight: OpenInsight,
  minute: number,
  decidedAtMs: number,
): InsightTransition {
  const seen = {
    identity: new Map<string, number>(),
    agent: new Map<string, number>(),
    error: series.isCallRate ? new Map<string, number>() : undefined,
  };
  let total = 0;
  for (let m = insight.startMinute; m <= minute; m++) {
    const t = series.tallies.get(m);
    if (!t) continue;
    total += t.count;
    mergeInto(seen.identity, t.identity);
    mergeInto(seen.agent, t.agent);
    if (t.error && seen.error) mergeInto(seen.error, t.error);
  }
  const minutes = minute - insight.startMinute + 1;
  const stats = {
    baselineAverage: insight.baselineAverage,
    insightAverage: total / minutes,
    insightDuration: minutes,
    baselineDuration: insight.baselineDuration,
  };
  return transition(
    "Start",
    series,
    insight,
    insight.startMinute,
    decidedAtMs,
    stats,
    attributions(seen, minutes, insight.baseline),
  );
}

/** The End event: the whole Insight, [startMinute, endMinute). */
export function endTransition(
  series: Series,
  insight: OpenInsight,
  endMinute: number,
  decidedAtMs: number,
): InsightTransition {
  const minutes = Math.max(1, endMinute - insight.startMinute);
  const stats = {
    baselineAverage: insight.baselineAverage,
    insightAverage: insight.total / minutes,
    insightDuration: minutes,
    baselineDuration: insight.baselineDuration,
  };
  const side = {
    identity: insight.identity.counts,
    agent: insight.agent.counts,
    error: insight.error?.counts,
  };
  return transition(
    "End",
    series,
    insight,
    endMinute,
    decidedAtMs,
    stats,
    attributions(side, minutes, insight.baseline),
  );
}

function transition(
  state: "Start" | "End",
  series: Series,
  insight: OpenInsight,
  minute: number,
  decidedAtMs: number,
  stats: Parameters<typeof insightDetails>[2],
  attrs: Attribution[],
): InsightTransition {
  return {
    state,
    key: series.key,
    sharedEventID: insight.sharedEventID,
    eventID: stableUuid(`${insight.sharedEventID}\n${state}`),
    eventTimeMs: minute * 60_000,
    decidedAtMs,
    insightDetails: insightDetails(state, series.key, stats, attrs),
  };
}

function mergeInto(into: Map<string, number>, from: Map<string, number>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}
