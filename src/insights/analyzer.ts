import { MINUTES_PER_DAY, recurringLevel } from "./baseline.js";
import { DEFAULT_DETECTOR, type DetectorSettings, isQuiet, startThreshold } from "./detector.js";
import {
  accumulate,
  endTransition,
  type InsightTransition,
  openInsight,
  startTransition,
} from "./insight-lifecycle.js";
import type { ScannedEvent } from "./scan-event.js";
import { Series } from "./series.js";
import { type Scope, SeriesIndex } from "./series-index.js";
import {
  type InsightType,
  parseSeriesKey,
  type SeriesKey,
  type SourceCategory,
  seriesKeyString,
} from "./series-key.js";

export interface AnalyzerSettings {
  /** Baseline window (CloudTrail: seven days). */
  baselineMinutes: number;
  /** How long after its end, in event time, a minute still takes late events. */
  latenessMs: number;
  detector: DetectorSettings;
  /** Rates followed at most (new ones past this are not counted): 20 KB each for a week. */
  maxSeries: number;
}

export const DEFAULT_ANALYZER: AnalyzerSettings = {
  baselineMinutes: 7 * MINUTES_PER_DAY,
  latenessMs: 10_000,
  detector: DEFAULT_DETECTOR,
  maxSeries: 20_000,
};

export interface AnalyzerHooks {
  /** Whether a trail or event data store has these Insights on now (else nothing is emitted). */
  enabled(key: SeriesKey): boolean;
}

export interface AnalyzerStats {
  events: number;
  /** Events that moved a call or error rate. */
  counted: number;
  /** Events whose minute was already closed. */
  late: number;
  /** Counts not kept because `maxSeries` rates are already followed. */
  untracked: number;
  series: number;
  openInsights: number;
}

const MINUTE_MS = 60_000;

/**
 * Insights' analyzer (README "How Insights decide"): per account, Region and API, per-minute
 * counts of write management calls (ApiCallRateInsight) and of errors by errorCode
 * (ApiErrorRateInsight, read and write calls), plus data-event rates per trail. Event time drives
 * it: a minute closes once an event `latenessMs` past its end arrives (or `advance` is called),
 * and an Insight starts as soon as the count of the minute in progress crosses its threshold,
 * without waiting for the minute to end. Decisions come out of `takeTransitions`.
 */
export class InsightsAnalyzer {
  private readonly index = new SeriesIndex<Series>();
  private readonly byId: Series[] = [];
  /** minute → series with a tally in that minute, until it closes. */
  private readonly pending = new Map<number, Set<Series>>();
  private readonly open = new Set<Series>();
  private readonly scratch: Float64Array;
  private readonly ringMinutes: number;
  private transitions: InsightTransition[] = [];
  private closed: Array<[number, number, number]> = [];
  private created: Series[] = [];
  /** Series whose in-flight state (tallies, Insight in progress) changed since the last take. */
  private changed = new Set<Series>();
  closedThrough = -1;
  private maxMinute = -1;
  readonly stats: AnalyzerStats = {
    events: 0,
    counted: 0,
    late: 0,
    untracked: 0,
    series: 0,
    openInsights: 0,
  };

  constructor(
    readonly settings: AnalyzerSettings,
    private readonly hooks: AnalyzerHooks,
  ) {
    this.ringMinutes = settings.baselineMinutes + 120;
    this.scratch = new Float64Array(
      Math.ceil(settings.baselineMinutes / MINUTES_PER_DAY + 1) * 60 + MINUTES_PER_DAY,
    );
  }

  /** Counts a management event (Insights, non-API and data events only mark the account as seen). */
  ingest(e: ScannedEvent): void {
    this.stats.events++;
    const minute = this.accept(e);
    if (minute < 0 || !e.apiCall || e.category !== "Management") return;
    const scope = this.index.ensureScope(e.account, e.region, minute);
    if (!e.readOnly) this.count(scope, e, minute, "ApiCallRateInsight", "Management", undefined, undefined);
    if (e.errorCode)
      this.count(scope, e, minute, "ApiErrorRateInsight", "Management", e.errorCode, undefined);
  }

  /** Counts a data event for a trail that selects it and has data-event Insights on. */
  ingestData(e: ScannedEvent, trailArn: string): void {
    const minute = Math.floor(e.timeMs / MINUTE_MS);
    if (minute <= this.closedThrough || !e.apiCall) return;
    const scope = this.index.ensureScope(e.account, e.region, minute);
    this.count(scope, e, minute, "ApiCallRateInsight", "Data", undefined, trailArn);
    if (e.errorCode) this.count(scope, e, minute, "ApiErrorRateInsight", "Data", e.errorCode, trailArn);
  }

  /** Closes every minute that ended `latenessMs` before `nowMs` (a clock tick when idle). */
  advance(nowMs: number): void {
    const target = Math.floor((nowMs - this.settings.latenessMs) / MINUTE_MS) - 1;
    if (target > this.closedThrough) this.closeThrough(target, nowMs);
  }

  takeTransitions(): InsightTransition[] {
    const t = this.transitions;
    this.transitions = [];
    return t;
  }

  /** Minutes closed since the last call: [seriesId, minute, count] (count > 0). */
  takeClosedMinutes(): Array<[number, number, number]> {
    const c = this.closed;
    this.closed = [];
    return c;
  }

  /** Series created since the last call. */
  takeNewSeries(): Series[] {
    const c = this.created;
    this.created = [];
    return c;
  }

  /** Series whose in-flight state changed since the last call (what a checkpoint must save). */
  takeChangedSeries(): Set<Series> {
    const c = this.changed;
    this.changed = new Set();
    return c;
  }

  /** Marks a series' in-flight state as not saved (a state restored from an older format). */
  markChanged(s: Series): void {
    this.changed.add(s);
  }

  allSeries(): Series[] {
    return this.byId.filter((s) => s !== undefined);
  }

  seriesById(id: number): Series | undefined {
    return this.byId[id];
  }

  findSeries(key: SeriesKey): Series | undefined {
    const scope = this.index.scope(key.account, key.region);
    return scope && this.index.get(scope, key);
  }

  /** Re-creates a series from storage (ids are reloaded as they were assigned). */
  restoreSeries(id: number, keyString: string): Series {
    const key = parseSeriesKey(keyString);
    return this.addSeries(id, key, this.index.scope(key.account, key.region)?.since ?? 0);
  }

  /** Re-creates a scope from storage, before its series. */
  restoreScope(account: string, region: string, since: number): void {
    this.index.ensureScope(account, region, since);
  }

  scopes(): Generator<[string, string, number]> {
    return this.index.allScopes();
  }

  /** Where a restored analyzer stands: minutes up to `closedThrough` are final. */
  restoreClock(closedThrough: number): void {
    this.closedThrough = closedThrough;
    this.maxMinute = Math.max(this.maxMinute, closedThrough);
  }

  /** Series with an Insight in progress (after a restore). */
  markOpen(s: Series): void {
    if (s.insight) this.open.add(s);
    this.stats.openInsights = this.open.size;
  }

  /** Re-registers a restored tally of a minute not yet closed. */
  markPending(s: Series, minute: number): void {
    const set = this.pending.get(minute);
    if (set) set.add(s);
    else this.pending.set(minute, new Set([s]));
    if (minute > this.maxMinute) this.maxMinute = minute;
  }

  private accept(e: ScannedEvent): number {
    if (e.category === "Insight") return -1;
    const minute = Math.floor(e.timeMs / MINUTE_MS);
    if (minute <= this.closedThrough) {
      this.stats.late++;
      return -1;
    }
    if (minute > this.maxMinute) {
      this.maxMinute = minute;
      this.advance(e.timeMs);
    }
    return minute;
  }

  private count(
    scope: Scope<Series>,
    e: ScannedEvent,
    minute: number,
    insightType: InsightType,
    category: SourceCategory,
    errorCode: string | undefined,
    insightSource: string | undefined,
  ): void {
    const lookup = {
      insightType,
      eventSource: e.eventSource,
      eventName: e.eventName,
      errorCode,
      insightSource,
    };
    let s = this.index.get(scope, lookup);
    if (!s) {
      if (this.stats.series >= this.settings.maxSeries) {
        this.stats.untracked++;
        return;
      }
      const key: SeriesKey = { account: e.account, region: e.region, category, ...lookup };
      s = this.addSeries(this.byId.length, key, scope.since);
      this.created.push(s);
    }
    const t = s.tally(minute);
    if (t.count === 0) this.markPending(s, minute);
    s.add(t, e.identity, e.userAgent, e.errorCode);
    this.changed.add(s);
    this.stats.counted++;
    if (s.triggerMinute !== minute) this.arm(s, minute);
    if (t.count >= s.trigger) this.tryStart(s, minute, e.timeMs);
  }

  private addSeries(id: number, key: SeriesKey, since: number): Series {
    const s = new Series(id, key, seriesKeyString(key), this.ringMinutes, since);
    this.index.set(this.index.ensureScope(key.account, key.region, since), key, s);
    this.byId[id] = s;
    this.stats.series++;
    return s;
  }

  /** The count at which the minute in progress starts an Insight: one- or two-minute window. */
  private arm(s: Series, minute: number): void {
    s.triggerMinute = minute;
    const d = this.settings.detector;
    if (s.insight || minute - s.since < d.minHistoryMinutes) {
      s.trigger = Number.POSITIVE_INFINITY;
      return;
    }
    s.trigger = this.threshold(
      s,
      minute,
      s.baselineAt(minute, this.settings.baselineMinutes, this.scratch).median,
    );
  }

  /**
   * The one-minute window alone, or the two-minute window when both minutes are elevated
   * (each above expected + zEach·σ), so that a single noisy minute needs the stronger test.
   */
  private threshold(s: Series, minute: number, expected: number): number {
    const d = this.settings.detector;
    const b = s.baselineAt(minute, this.settings.baselineMinutes, this.scratch);
    const one = startThreshold(expected, b, 1, d);
    const elevated = Math.floor(expected + d.zEach * b.sigma) + 1;
    const prev = s.countAt(minute - 1);
    if (prev < elevated) return Math.max(1, one);
    return Math.max(1, Math.min(one, Math.max(elevated, startThreshold(expected, b, 2, d) - prev)));
  }

  private tryStart(s: Series, minute: number, nowMs: number): void {
    const d = this.settings.detector;
    const b = s.baselineAt(minute, this.settings.baselineMinutes, this.scratch);
    // What this time of day usually reaches (a nightly job's burst, or just the ordinary
    // peaks of a noisy series): the minute must rise clearly above it too.
    const expected = b.median;
    const recurring = recurringLevel(s.ring, minute, this.settings.baselineMinutes, s.since);
    const count = s.countAt(minute);
    const usual = recurring > expected ? Math.floor(recurring + d.zUsual * Math.sqrt(recurring)) + 1 : 0;
    if (count < usual) {
      s.trigger = usual;
      return;
    }
    const oneMinute = count >= startThreshold(expected, b, 1, d);
    const startMinute = !oneMinute && s.countAt(minute - 1) > expected + b.sigma ? minute - 1 : minute;
    const insight = openInsight(
      s,
      startMinute,
      minute,
      this.closedThrough,
      this.settings.baselineMinutes,
      this.hooks.enabled(s.key),
    );
    s.insight = insight;
    this.changed.add(s);
    s.trigger = Number.POSITIVE_INFINITY;
    this.open.add(s);
    this.stats.openInsights = this.open.size;
    if (insight.emitted) this.transitions.push(startTransition(s, insight, minute, nowMs));
  }

  private closeThrough(target: number, nowMs: number): void {
    while (this.closedThrough < target) {
      let m = this.closedThrough + 1;
      if (this.open.size === 0) {
        const next = this.nextPendingMinute();
        if (next === undefined || next > target) {
          this.closedThrough = target;
          break;
        }
        m = Math.max(m, next);
      }
      this.closeMinute(m, nowMs);
      this.closedThrough = m;
    }
  }

  private nextPendingMinute(): number | undefined {
    let min: number | undefined;
    for (const m of this.pending.keys()) if (min === undefined || m < min) min = m;
    return min;
  }

  private closeMinute(m: number, nowMs: number): void {
    const list = this.pending.get(m);
    this.pending.delete(m);
    if (list)
      for (const s of list) {
        const t = s.tallies.get(m);
        if (!t) continue;
        s.close(m, t);
        this.closed.push([s.id, m, t.count]);
      }
    for (const s of [...this.open]) {
      this.changed.add(s);
      this.evaluateEnd(s, m, nowMs);
    }
    if (list)
      for (const s of list) {
        if (!s.insight) s.forgetBefore(m - 1);
        this.changed.add(s);
      }
    if (m % MINUTES_PER_DAY === 0) this.forgetOldDays(m);
  }

  /** Hysteresis: `endQuietMinutes` quiet minutes in a row end the Insight at the first of them. */
  private evaluateEnd(s: Series, m: number, nowMs: number): void {
    const insight = s.insight;
    if (!insight || m < insight.startMinute) return;
    const d = this.settings.detector;
    const t = s.tallies.get(m);
    const count = t?.count ?? 0;
    const b = s.baselineAt(m, this.settings.baselineMinutes, this.scratch);
    if (m - insight.startMinute >= d.maxInsightMinutes) {
      this.end(s, m, nowMs);
      return;
    }
    if (isQuiet(count, b.median, b, d)) {
      if (insight.held.length === 0) insight.firstQuiet = m;
      if (t) insight.held.push(t);
      else insight.held.push({ count: 0, identity: new Map(), agent: new Map() });
      if (insight.held.length >= d.endQuietMinutes) this.end(s, insight.firstQuiet, nowMs);
      return;
    }
    for (const h of insight.held) accumulate(insight, h);
    insight.held = [];
    if (t) accumulate(insight, t);
  }

  private end(s: Series, endMinute: number, nowMs: number): void {
    const insight = s.insight;
    if (!insight) return;
    if (insight.emitted) this.transitions.push(endTransition(s, insight, endMinute, nowMs));
    s.insight = undefined;
    this.changed.add(s);
    s.triggerMinute = -1;
    s.forgetBefore(this.closedThrough);
    this.open.delete(s);
    this.stats.openInsights = this.open.size;
  }

  private forgetOldDays(minute: number): void {
    const keepFrom = Math.floor((minute - this.settings.baselineMinutes) / MINUTES_PER_DAY);
    for (const s of this.byId) s?.forgetDaysBefore(keepFrom);
  }
}
