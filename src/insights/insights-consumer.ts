import type { Logger } from "../config/logger.js";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import type { Consumer, EventLog, LogRecord } from "../log/index.js";
import type { EventDraft } from "../recorder/event-sink.js";
import type { Recorder } from "../recorder/recorder.js";
import type { InsightsAnalyzer } from "./analyzer.js";
import { dayJson, loadLegacyVolatile, loadSeriesStates, restoreDay, seriesStates } from "./analyzer-state.js";
import { MINUTES_PER_DAY } from "./baseline.js";
import type { InsightTransition } from "./insight-lifecycle.js";
import { dataInsightTrails, dataTrailSelects, type InsightSources } from "./insight-sources.js";
import type { InsightsStore, StoredInsightEvent } from "./insights-store.js";
import { emptyScan, type ScannedEvent, scanEvent } from "./scan-event.js";

export interface InsightsConsumerDeps {
  log: EventLog;
  store: InsightsStore;
  analyzer: InsightsAnalyzer;
  recorder: Recorder;
  sources: InsightSources;
  /** Wall clock: closes minutes while no events come, and bounds event times from the future. Absent: event time only. */
  clock?: () => number;
  logger: Logger;
  /** Minute counts kept for ListInsightsMetricData (at least the baseline window). */
  retentionMinutes: number;
  checkpointMs?: number;
  tickMs?: number;
}

export const CONSUMER_NAME = "insights";
/** Events stamped further than this past the wall clock neither count nor close minutes. */
const MAX_FUTURE_MS = 5 * 60_000;
const RETENTION_EVERY_MS = 3_600_000;
const EVENT_HISTORY_MS = 90 * 86_400_000;

/**
 * Runs the analyzer as a log consumer. State and cursor commit together (InsightsStore), at
 * most once per `checkpointMs` unless Insights events were decided; a restart replays the log
 * from the last commit into the restored state, so counts are exact. Decided events go to the
 * store's outbox in the commit, then through the Recorder into the log; after a crash, the
 * outbox is checked against the log and only what is missing is recorded: each Insights event
 * is in the log exactly once (its eventID is derived from the decision, so a retry is the same
 * record).
 */
export class InsightsConsumer {
  private consumer: Consumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private position: number;
  private minutes: Array<[number, number, number]> = [];
  private series: Array<[number, string]> = [];
  private undelivered: EventDraft[] = [];
  private lastCheckpoint = 0;
  private lastRetention = 0;
  private readonly scan: ScannedEvent = emptyScan();
  future = 0;

  private constructor(private readonly deps: InsightsConsumerDeps) {
    this.position = deps.store.cursor();
  }

  /** Restores the analyzer from the store and settles an outbox left by a crash. */
  static async open(deps: InsightsConsumerDeps): Promise<InsightsConsumer> {
    const c = new InsightsConsumer(deps);
    const { store, analyzer } = deps;
    for (const [account, region, since] of store.scopes()) analyzer.restoreScope(account, region, since);
    for (const { id, key } of store.series()) analyzer.restoreSeries(id, key);
    const legacy = store.meta("volatile");
    if (legacy) loadLegacyVolatile(analyzer, legacy);
    else loadSeriesStates(analyzer, store.closedThrough(), store.seriesStates());
    const window = analyzer.settings.baselineMinutes + 120;
    for (const [id, minute, count] of store.minutesSince(analyzer.closedThrough - window))
      analyzer.seriesById(id)?.ring.set(minute, count);
    for (const [id, day, tally] of store.days(
      Math.floor((analyzer.closedThrough - window) / MINUTES_PER_DAY),
    )) {
      const s = analyzer.seriesById(id);
      if (s) restoreDay(s, day, tally);
    }
    await c.settleOutbox();
    return c;
  }

  start(): void {
    this.consumer = this.deps.log.consume({
      name: CONSUMER_NAME,
      batchSize: 4096,
      cursor: { load: () => this.position, save: () => {} },
      apply: (records) => this.enqueue(() => this.apply(records)),
    });
    const { clock } = this.deps;
    if (clock) {
      this.timer = setInterval(() => void this.tick(clock()).catch(() => {}), this.deps.tickMs ?? 5000);
      this.timer.unref();
    }
  }

  caughtUp(seq: number): Promise<void> {
    return this.consumer ? this.consumer.caughtUp(seq) : Promise.reject(new Error("insights not started"));
  }

  /** Closes the minutes that ended before `nowMs` (minus the lateness allowance) and commits. */
  tick(nowMs: number): Promise<void> {
    return this.enqueue(async () => {
      this.deps.analyzer.advance(nowMs);
      await this.commit(false);
    });
  }

  /** Commits now, whatever the time since the last checkpoint. */
  flush(): Promise<void> {
    return this.enqueue(() => this.commit(true));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.consumer?.stop();
    await this.enqueue(() => this.commit(true));
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private async apply(records: LogRecord[]): Promise<void> {
    await this.deliver();
    const last = records.at(-1);
    if (!last || last.seq < this.position) return;
    const { analyzer, clock } = this.deps;
    const dataTrails = dataInsightTrails(this.deps.sources);
    const horizon = clock ? clock() + MAX_FUTURE_MS : Number.POSITIVE_INFINITY;
    for (const r of records) {
      if (r.seq < this.position) continue;
      const e = scanEvent(r.payload, this.scan);
      if (!e) continue;
      if (e.timeMs > horizon) {
        this.future++;
        continue;
      }
      analyzer.ingest(e);
      if (e.category === "Data" && dataTrails.length > 0) {
        const event = JSON.parse(r.payload.toString("utf8")) as CloudTrailEvent;
        for (const t of dataTrails) if (dataTrailSelects(t, event)) analyzer.ingestData(e, t.arn);
      }
    }
    this.position = last.seq + 1;
    await this.commit(false);
  }

  private async commit(force: boolean): Promise<void> {
    const { analyzer, store, log } = this.deps;
    const transitions = analyzer.takeTransitions();
    for (const m of analyzer.takeClosedMinutes()) this.minutes.push(m);
    for (const s of analyzer.takeNewSeries()) this.series.push([s.id, s.keyString]);
    const now = performance.now();
    if (!force && transitions.length === 0 && now - this.lastCheckpoint < (this.deps.checkpointMs ?? 1000))
      return;
    const drafts = transitions.map(toDraft);
    const changed = analyzer.takeChangedSeries();
    try {
      store.checkpoint({
        cursor: this.position,
        scopes: [...analyzer.scopes()],
        series: this.series,
        minutes: this.minutes,
        days: this.dirtyDays(),
        closedThrough: analyzer.closedThrough,
        seriesStates: seriesStates(changed),
        outbox: drafts.map((d) => ({ eventId: d.eventID as string, draft: JSON.stringify(d) })),
        logEnd: log.endSeq,
      });
    } catch (err) {
      // Not saved: the next checkpoint must save these series' state.
      for (const s of changed) analyzer.markChanged(s);
      throw err;
    }
    this.series = [];
    this.minutes = [];
    this.lastCheckpoint = now;
    this.undelivered.push(...drafts);
    await this.deliver();
    if (now - this.lastRetention > RETENTION_EVERY_MS) this.retain(now);
  }

  /** Records what the outbox holds; on failure it stays there and the next batch retries. */
  private async deliver(): Promise<void> {
    if (this.undelivered.length === 0) return;
    const drafts = this.undelivered;
    try {
      await this.deps.recorder.recordBatch(drafts);
    } catch (err) {
      this.deps.logger.warn("recording Insights events failed; retrying", { error: String(err) });
      throw err;
    }
    this.undelivered = [];
    this.deps.store.delivered(drafts.map((d) => this.stored(d)));
  }

  private async settleOutbox(): Promise<void> {
    const pending = this.deps.store.outbox();
    if (pending.length === 0) return;
    const { log } = this.deps;
    const found = new Set<string>();
    const from = Math.max(log.startSeq, Math.min(...pending.map((p) => p.logEnd)));
    for (let seq = from; seq < log.endSeq; ) {
      const records = log.read(seq, 4096, 16 * 1024 * 1024);
      if (records.length === 0) break;
      for (const r of records)
        for (const p of pending) if (r.payload.includes(`"eventID":"${p.eventId}"`)) found.add(p.eventId);
      seq = (records.at(-1)?.seq ?? seq) + 1;
    }
    const drafts = pending.map((p) => JSON.parse(p.draft) as EventDraft);
    const missing = drafts.filter((d) => !found.has(d.eventID as string));
    if (missing.length > 0) await this.deps.recorder.recordBatch(missing);
    this.deps.store.delivered(drafts.map((d) => this.stored(d)));
  }

  private stored(d: EventDraft): StoredInsightEvent {
    const details = d.insightDetails as Record<string, string>;
    return {
      eventId: d.eventID as string,
      sharedId: d.sharedEventID as string,
      state: details.state as "Start" | "End",
      timeMs: Date.parse(d.eventTime as string),
      account: d.recipientAccountId as string,
      region: d.awsRegion,
      insightType: details.insightType as string,
      category: details.sourceEventCategory as string,
      insightSource: details.insightSource ?? null,
      eventSource: details.eventSource as string,
      eventName: details.eventName as string,
      errorCode: details.errorCode ?? null,
      record: this.deps.recorder.encode(d).json,
    };
  }

  private dirtyDays(): Array<[number, number, string]> {
    const out: Array<[number, number, string]> = [];
    for (const s of this.deps.analyzer.allSeries()) {
      for (const day of s.dirtyDays) {
        const d = s.days.get(day);
        if (d) out.push([s.id, day, dayJson(d)]);
      }
      s.dirtyDays.clear();
    }
    return out;
  }

  private retain(now: number): void {
    this.lastRetention = now;
    const { analyzer, store } = this.deps;
    const closed = analyzer.closedThrough;
    const wall = this.deps.clock?.() ?? closed * 60_000;
    store.retain(
      closed - this.deps.retentionMinutes,
      Math.floor((closed - analyzer.settings.baselineMinutes) / MINUTES_PER_DAY) - 1,
      wall - EVENT_HISTORY_MS,
    );
  }
}

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** The record of an Insights event (reference §2.5): no userIdentity, eventSource or eventName at top level. */
export function toDraft(t: InsightTransition): EventDraft {
  return {
    eventTime: iso(t.eventTimeMs),
    awsRegion: t.key.region,
    eventID: t.eventID,
    eventType: "AwsCloudTrailInsight",
    recipientAccountId: t.key.account,
    sharedEventID: t.sharedEventID,
    insightDetails: t.insightDetails,
    eventCategory: "Insight",
  };
}
