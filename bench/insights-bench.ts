/**
 * Insights benchmark on labelled traffic (bench/support/traffic-generator.ts): three weeks of
 * per-minute management traffic with anomalies injected after the first week.
 *   quality:    recall on anomalies ≥ 5x baseline lasting ≥ 3 minutes (target ≥ 95 %), false
 *               Insights per simulated day (≤ 1), detection delay p50/p99 (p99 ≤ 2 min).
 *   throughput: the analyzer (read fields, count, decide) over the recorded bytes of the same
 *               traffic (target ≥ 200,000 events/s), the analyzer as the server runs it (a log
 *               consumer with SQLite checkpoints) on a day of it, and, as the same-run
 *               baseline, the durable recorder's recordBatch of the same records.
 * Run alone with `node --import tsx bench/insights-bench.ts`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { silentLogger } from "../src/config/logger.js";
import {
  createInsightsService,
  DEFAULT_ANALYZER,
  emptyScan,
  InsightsAnalyzer,
  type InsightTransition,
  scanEvent,
} from "../src/insights/index.js";
import { EventLog } from "../src/log/index.js";
import type { EventDraft } from "../src/recorder/event-sink.js";
import { Recorder } from "../src/recorder/recorder.js";
import type { TrailInsightsAccess } from "../src/trails/index.js";
import { pairInsights, scoreInsights } from "./support/insight-scoring.js";
import { median, percentile, printTable } from "./support/stats.js";
import { createTraffic } from "./support/traffic-generator.js";

const DAYS = 21;
const WARMUP_DAYS = 7;
const RECORDER_MS = 2000;

interface AnalyzerRun {
  transitions: InsightTransition[];
  events: number;
  analyzerMs: number;
}

/**
 * Feeds the recorded bytes of the traffic to the analyzer a simulated day at a time (generated
 * and encoded first, then analysed), timing only the analyzer.
 */
function runAnalyzer(days: number, seed: number) {
  const traffic = createTraffic({
    start: new Date(Date.UTC(2024, 0, 1)),
    days,
    warmupDays: WARMUP_DAYS,
    anomaliesPerDay: 10,
    seed,
  });
  const analyzer = new InsightsAnalyzer(DEFAULT_ANALYZER, { enabled: () => true });
  const encoder = new Recorder({ append: async () => 0 });
  const scan = emptyScan();
  const transitions: InsightTransition[] = [];
  const sample: Buffer[] = [];
  let events = 0;
  let analyzerMs = 0;
  const analyse = (payloads: Buffer[]) => {
    const t0 = performance.now();
    for (const p of payloads) {
      const e = scanEvent(p, scan);
      if (e) analyzer.ingest(e);
    }
    analyzerMs += performance.now() - t0;
    events += payloads.length;
    transitions.push(...analyzer.takeTransitions());
    analyzer.takeClosedMinutes();
  };
  let day: Buffer[] = [];
  for (const minute of traffic.minutes()) {
    for (const d of minute) day.push(Buffer.from(encoder.encode(d).json));
    if (day.length >= 60_000) {
      if (sample.length === 0) sample.push(...day);
      analyse(day);
      day = [];
    }
  }
  analyse(day);
  analyzer.advance(traffic.endMs + 3_600_000);
  transitions.push(...analyzer.takeTransitions());
  return { run: { transitions, events, analyzerMs } satisfies AnalyzerRun, traffic, sample };
}

/**
 * The analyzer as it runs in the server: a log consumer reading records from a log, committing
 * its state to SQLite. `payloads` are appended first; the rate is records consumed per second.
 */
async function consumerRate(dir: string, payloads: Buffer[]): Promise<number> {
  const log = await EventLog.open({ dir: await mkdtemp(join(dir, "log-")), fsync: false });
  for (let i = 0; i < payloads.length; i += 4096) await log.appendBatch(payloads.slice(i, i + 4096));
  const trails: TrailInsightsAccess = {
    find: () => {
      throw new Error("no trails");
    },
    put: () => {
      throw new Error("no trails");
    },
    list: () => [],
  };
  const insights = createInsightsService({
    dataDir: await mkdtemp(join(dir, "insights-")),
    trails,
    recorder: new Recorder(log),
    settings: { baselineDays: 7, latenessSeconds: 10, clock: "events" },
    logger: silentLogger,
  });
  const start = performance.now();
  await insights.start(log);
  await insights.caughtUp(log.endSeq);
  const rate = payloads.length / ((performance.now() - start) / 1000);
  await insights.stop();
  await log.close();
  return rate;
}

async function recorderRate(dir: string, payloads: Buffer[], ms: number): Promise<number> {
  const log = await EventLog.open({ dir: await mkdtemp(join(dir, "log-")) });
  const recorder = new Recorder(log);
  const drafts = payloads.slice(0, 4096).map((p) => JSON.parse(p.toString()) as EventDraft);
  let events = 0;
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: 4 }, async (_, c) => {
      for (let i = c * 256; performance.now() < deadline; i = (i + 1024) % (drafts.length - 256)) {
        await recorder.recordBatch(drafts.slice(i, i + 256).map(({ eventID: _, ...d }) => d));
        events += 256;
      }
    }),
  );
  const rate = events / ((performance.now() - start) / 1000);
  await log.close();
  return rate;
}

export async function benchInsights(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), "opentrail-bench-insights-"));
  try {
    const { run, traffic, sample } = runAnalyzer(DAYS, 7);
    const evaluatedDays = DAYS - DEFAULT_ANALYZER.detector.minHistoryMinutes / 1440;
    const score = scoreInsights(traffic.anomalies, pairInsights(run.transitions), evaluatedDays);
    const recorder: number[] = [];
    const consumer: number[] = [];
    for (let r = 0; r < 3; r++) {
      recorder.push(await recorderRate(dir, sample, RECORDER_MS));
      consumer.push(await consumerRate(dir, sample));
    }
    const analyzerRate = run.events / (run.analyzerMs / 1000);
    const min = (ms: number) => `${(ms / 60_000).toFixed(2)} min`;
    const result = {
      "simulated traffic": `${DAYS} days, ${run.events.toLocaleString("en-US")} events, ${traffic.anomalies.length} labelled anomalies`,
      "target anomalies (>= 5x, >= 3 min)": score.target,
      "recall on target anomalies": `${(score.recall * 100).toFixed(1)} % (${score.detected}/${score.target})`,
      "recall on smaller or shorter anomalies (info)": `${(score.otherRecall * 100).toFixed(1)} % of ${score.otherCount}`,
      "false Insights per simulated day": Number(score.falsePerDay.toFixed(3)),
      "detection delay p50": min(percentile(score.delays, 50)),
      "detection delay p99": min(percentile(score.delays, 99)),
      "Start names the injected caller first": `${score.attributedToCaller}/${score.detected}`,
      "analyzer throughput: read fields, count, decide (events/s)": Math.round(analyzerRate),
      "analyzer as a log consumer, with its SQLite checkpoints (events/s, median)": Math.round(
        median(consumer),
      ),
      "recorder recordBatch(256), same run (durable events/s, median)": Math.round(median(recorder)),
      "analyzer / recorder": Number((analyzerRate / median(recorder)).toFixed(2)),
      "log consumer / recorder": Number((median(consumer) / median(recorder)).toFixed(2)),
      target: "recall >= 95 %, <= 1 false/day, delay p99 <= 2 min, analyzer >= 200,000 events/s",
    };
    printTable("Insights", result);
    if (process.env.OPENTRAIL_BENCH_VERBOSE) {
      for (const a of score.missed) console.log("missed", a);
      for (const f of score.falses) console.log("false", f);
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchInsights();
}
