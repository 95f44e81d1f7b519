import { join } from "node:path";
import type { Logger } from "../config/logger.js";
import type { EventLog } from "../log/index.js";
import type { Recorder } from "../recorder/recorder.js";
import type { TrailInsightsAccess } from "../trails/index.js";
import { type AnalyzerStats, DEFAULT_ANALYZER, InsightsAnalyzer } from "./analyzer.js";
import { MINUTES_PER_DAY } from "./baseline.js";
import type { DetectorSettings } from "./detector.js";
import { type InsightSources, insightsEnabled } from "./insight-sources.js";
import { InsightsConsumer } from "./insights-consumer.js";
import { InsightsStore } from "./insights-store.js";
import { listInsightsData } from "./list-insights-data.js";
import { listInsightsMetricData } from "./metric-data.js";
import { type EventDataStoreDirectory, selectorHandlers } from "./selector-handlers.js";

export interface InsightsSettings {
  /** Baseline window in days (CloudTrail: seven). */
  baselineDays: number;
  /** How long a minute waits for late events after it ends. */
  latenessSeconds: number;
  /**
   * `wall`: minutes also close as wall time passes (a server). `events`: only event time moves
   * the analyzer (replaying old logs, tests with a simulated clock).
   */
  clock: "wall" | "events";
}

export interface InsightsServiceDeps {
  /** Insights keep `<dataDir>/insights/insights.db`. */
  dataDir: string;
  trails: TrailInsightsAccess;
  recorder: Recorder;
  settings: InsightsSettings;
  logger: Logger;
  /** Event data stores (Lake), for Insights on them. */
  eventDataStores?: EventDataStoreDirectory;
  clock?: () => Date;
  detector?: Partial<DetectorSettings>;
}

export type InsightsHandlers = ReturnType<typeof selectorHandlers> & {
  ListInsightsData: ReturnType<typeof listInsightsData>;
  ListInsightsMetricData: ReturnType<typeof listInsightsMetricData>;
};

export interface InsightsService {
  handlers: InsightsHandlers;
  /** Restores the analyzer, settles the outbox and starts consuming the log. */
  start(log: EventLog): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once every event appended before `seq` is analysed (tests, benchmarks). */
  caughtUp(seq: number): Promise<void>;
  /** Closes the minutes that ended before `nowMs` (default: the clock) and commits. */
  tick(nowMs?: number): Promise<void>;
  /** Commits the analyzer's state now (and records decided events). */
  flush(): Promise<void>;
  stats(): AnalyzerStats & { future: number };
}

/** Per-minute counts are kept 15 days, as ListInsightsMetricData's one-minute data points. */
const MINUTE_RETENTION = 15 * MINUTES_PER_DAY;

/**
 * CloudTrail Insights: insight selectors on trails and event data stores, the analyzer fed from
 * the event log, Insights events recorded back into the log (so event history, trails and
 * event data stores take them like any event), ListInsightsData and ListInsightsMetricData.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-insights-events-with-cloudtrail.html
 */
export function createInsightsService(deps: InsightsServiceDeps): InsightsService {
  const store = new InsightsStore(join(deps.dataDir, "insights", "insights.db"));
  const now = () => (deps.clock ? deps.clock().getTime() : Date.now());
  const sources: InsightSources = {
    trails: () => deps.trails.list(),
    eventDataStores: () =>
      store.allStoreInsights().flatMap((s) => {
        const id = s.source.split("/").pop() ?? "";
        const live = deps.eventDataStores?.find(id.toLowerCase(), s.accountId);
        if (live?.status !== "ENABLED") return [];
        return [
          {
            arn: s.source,
            accountId: s.accountId,
            regions: s.regions,
            insightTypes: s.selectors.map((x) => x.InsightType ?? ""),
          },
        ];
      }),
  };
  const baselineMinutes = Math.max(60, Math.round(deps.settings.baselineDays * MINUTES_PER_DAY));
  const analyzer = new InsightsAnalyzer(
    {
      ...DEFAULT_ANALYZER,
      baselineMinutes,
      latenessMs: deps.settings.latenessSeconds * 1000,
      detector: {
        ...DEFAULT_ANALYZER.detector,
        minHistoryMinutes: Math.min(DEFAULT_ANALYZER.detector.minHistoryMinutes, baselineMinutes),
        ...deps.detector,
      },
    },
    { enabled: (key) => insightsEnabled(sources, key) },
  );
  let consumer: InsightsConsumer | undefined;
  const flush = async () => {
    await consumer?.flush();
  };
  return {
    handlers: {
      ...selectorHandlers({ trails: deps.trails, store, eventDataStores: deps.eventDataStores }),
      ListInsightsData: listInsightsData(deps.trails, store),
      ListInsightsMetricData: listInsightsMetricData({ trails: deps.trails, store, flush, now }),
    },
    async start(log) {
      if (consumer) throw new Error("insights already started");
      consumer = await InsightsConsumer.open({
        log,
        store,
        analyzer,
        recorder: deps.recorder,
        sources,
        clock: deps.settings.clock === "wall" ? now : undefined,
        logger: deps.logger,
        retentionMinutes: Math.max(MINUTE_RETENTION, baselineMinutes + MINUTES_PER_DAY),
      });
      consumer.start();
    },
    async stop() {
      await consumer?.stop();
      store.close();
    },
    caughtUp: (seq) =>
      consumer ? consumer.caughtUp(seq) : Promise.reject(new Error("insights not started")),
    tick: (nowMs) => consumer?.tick(nowMs ?? now()) ?? Promise.resolve(),
    flush,
    stats: () => ({ ...analyzer.stats, future: consumer?.future ?? 0 }),
  };
}
