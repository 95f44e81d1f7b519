import { type HourBaseline, hourBaseline, MINUTES_PER_DAY } from "./baseline.js";
import { MinuteRing } from "./minute-ring.js";
import type { SeriesKey } from "./series-key.js";
import { TopCounter, type ValueAverage } from "./top-counter.js";

/** Counts of one minute of one series, with the values its attributions are drawn from. */
export interface MinuteTally {
  count: number;
  identity: Map<string, number>;
  agent: Map<string, number>;
  /** errorCode of each call ("null" when it succeeded); call-rate series only. */
  error?: Map<string, number>;
}

/** One day of a series: what baseline attributions are computed from. */
export interface DayTally {
  total: number;
  identity: TopCounter;
  agent: TopCounter;
  error?: TopCounter;
}

export interface BaselineSide {
  identity: ValueAverage[];
  agent: ValueAverage[];
  error?: ValueAverage[];
}

/** An Insight in progress. */
export interface OpenInsight {
  sharedEventID: string;
  startMinute: number;
  /** False when no trail or event data store had these Insights on at the start: no events. */
  emitted: boolean;
  baselineAverage: number;
  baselineDuration: number;
  baseline: BaselineSide;
  /** Calls (errors) and attribution counts of the unusual minutes so far. */
  total: number;
  identity: TopCounter;
  agent: TopCounter;
  error?: TopCounter;
  /** Quiet minutes not yet known to end the Insight, held back from the totals. */
  held: MinuteTally[];
  firstQuiet: number;
}

const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/**
 * The analyzer's state for one rate: the last `ringMinutes` of per-minute counts, tallies of the
 * minutes not yet closed (and the last two closed, for a Start's attributions), daily
 * attribution counters for the baseline window, and the Insight in progress.
 */
export class Series {
  readonly ring: MinuteRing;
  readonly tallies = new Map<number, MinuteTally>();
  readonly days = new Map<number, DayTally>();
  readonly dirtyDays = new Set<number>();
  insight: OpenInsight | undefined;
  /** Count at which the current minute starts an Insight (Infinity: not now). */
  trigger = Number.POSITIVE_INFINITY;
  triggerMinute = -1;
  private curMinute = -1;
  private cur: MinuteTally | undefined;
  private cacheHour = -1;
  private cached: HourBaseline | undefined;

  constructor(
    readonly id: number,
    readonly key: SeriesKey,
    readonly keyString: string,
    ringMinutes: number,
    /** When the analyzer first saw the account in the Region (epoch minute). */
    readonly since: number,
  ) {
    this.ring = new MinuteRing(ringMinutes);
  }

  get isCallRate(): boolean {
    return this.key.insightType === "ApiCallRateInsight";
  }

  /** The tally of `minute`, created on first use; `created` reports whether it is new. */
  tally(minute: number): MinuteTally {
    if (minute === this.curMinute && this.cur) return this.cur;
    let t = this.tallies.get(minute);
    if (!t) {
      t = { count: 0, identity: new Map(), agent: new Map(), error: this.isCallRate ? new Map() : undefined };
      this.tallies.set(minute, t);
    }
    this.curMinute = minute;
    this.cur = t;
    return t;
  }

  add(t: MinuteTally, identity: string, agent: string, errorCode: string | undefined): void {
    t.count++;
    inc(t.identity, identity);
    inc(t.agent, agent);
    if (t.error) inc(t.error, errorCode ?? "null");
  }

  /** Count of a minute, closed (ring) or still open (tally). */
  countAt(minute: number): number {
    const t = this.tallies.get(minute);
    return t ? t.count : this.ring.get(minute);
  }

  baselineAt(minute: number, windowMinutes: number, scratch: Float64Array): HourBaseline {
    const hour = Math.floor(minute / 60);
    if (hour !== this.cacheHour || !this.cached) {
      this.cached = hourBaseline(this.ring, minute, windowMinutes, this.since, scratch);
      this.cacheHour = hour;
    }
    return this.cached;
  }

  /** A minute is final: into the ring and the day's attribution counters. */
  close(minute: number, t: MinuteTally): void {
    this.ring.set(minute, t.count);
    const day = Math.floor(minute / MINUTES_PER_DAY);
    let d = this.days.get(day);
    if (!d) {
      d = {
        total: 0,
        identity: new TopCounter(),
        agent: new TopCounter(),
        error: t.error ? new TopCounter() : undefined,
      };
      this.days.set(day, d);
    }
    d.total += t.count;
    d.identity.merge(t.identity);
    d.agent.merge(t.agent);
    if (t.error) d.error?.merge(t.error);
    this.dirtyDays.add(day);
    if (minute === this.curMinute) {
      this.curMinute = -1;
      this.cur = undefined;
    }
  }

  /** Drops tallies older than the two minutes a Start's attributions may look back on. */
  forgetBefore(minute: number): void {
    for (const m of this.tallies.keys()) if (m < minute) this.tallies.delete(m);
  }

  /** Drops daily counters that left the baseline window. */
  forgetDaysBefore(day: number): number[] {
    const dropped: number[] = [];
    for (const d of this.days.keys())
      if (d < day) {
        this.days.delete(d);
        dropped.push(d);
      }
    return dropped;
  }
}
