import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { LookupEventsRequest, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import Database from "better-sqlite3";
import { resolveConfig } from "../src/config/config.js";
import { silentLogger } from "../src/config/logger.js";
import { HistoryIndex, type HistoryScope } from "../src/history/index.js";
import { EventLog } from "../src/log/index.js";
import { startOpenTrail } from "../src/main.js";
import { ADMIN, writeIdentitiesFile } from "../src/test-support/fixtures.js";
import { createEventGenerator } from "./support/event-generator.js";
import { bareHttpBaseline, benchHistoryHttp, type Latency, timeCalls } from "./support/history-http.js";
import { LOOKUP_KINDS, type LookupKind, LookupSamples } from "./support/lookup-samples.js";
import { printTable } from "./support/stats.js";

export { benchHistoryHttp } from "./support/history-http.js";

const DAY = 86_400_000;
const BATCH = 1024;
const TARGETS = { lookupP99Ms: 5, eventsPerSecond: 100_000, bytesPerEvent: 600 };

interface SeedResult {
  applySeconds: number;
  applyCpuSeconds: number;
  rssBytes: number;
  /** Baseline: the same batches as plain JSON rows in SQLite (same pragmas), first 100k events. */
  raw: { events: number; seconds: number; bytes: number };
}

const RAW_BASELINE_EVENTS = 100_000;

function openRawBaseline(path: string) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE events (seq INTEGER PRIMARY KEY, json BLOB NOT NULL)");
  const insert = db.prepare("INSERT INTO events (seq, json) VALUES (?, ?)");
  const batch = db.transaction((records: Array<{ seq: number; payload: Buffer }>) => {
    for (const r of records) insert.run(r.seq, r.payload);
  });
  const bytes = () =>
    (db.pragma("page_count", { simple: true }) as number) *
    (db.pragma("page_size", { simple: true }) as number);
  return { batch, bytes, close: () => db.close() };
}

/**
 * Writes `count` generated management events (the caller's account, 90 days ending now) to an
 * event log, then indexes them as the server's consumer does: batches of 1024 read back from
 * the log and given to HistoryIndex.apply, timing apply alone. Generating events between
 * applies would charge the generator's garbage and cache misses to the index.
 */
async function seed(
  dataDir: string,
  count: number,
  span: { start: number; end: number },
  samples: LookupSamples,
) {
  const generator = createEventGenerator({
    count,
    seed: 2024,
    start: new Date(span.start),
    end: new Date(span.end),
    accounts: [ADMIN.accountId],
  });
  const log = await EventLog.open({ dir: join(dataDir, "log"), fsync: false });
  const result: SeedResult = {
    applySeconds: 0,
    applyCpuSeconds: 0,
    rssBytes: 0,
    raw: { events: 0, seconds: 0, bytes: 0 },
  };
  try {
    for (let done = 0; done < count; ) {
      const payloads: Buffer[] = [];
      for (let i = 0; i < Math.min(BATCH, count - done); i++) {
        const event = generator.next();
        samples.offer(event);
        payloads.push(Buffer.from(JSON.stringify(event)));
      }
      await log.appendBatch(payloads);
      done += payloads.length;
    }
    const index = HistoryIndex.open({ path: join(dataDir, "history.db") });
    const raw = openRawBaseline(join(dataDir, "raw-baseline.db"));
    try {
      for (let from = log.startSeq; from < log.endSeq; ) {
        const records = log.read(from, BATCH);
        const cpu = process.cpuUsage();
        const t0 = performance.now();
        index.apply(records);
        result.applySeconds += (performance.now() - t0) / 1000;
        const used = process.cpuUsage(cpu);
        result.applyCpuSeconds += (used.user + used.system) / 1e6;
        if (result.raw.events < RAW_BASELINE_EVENTS) {
          const r0 = performance.now();
          raw.batch(records);
          result.raw.seconds += (performance.now() - r0) / 1000;
          result.raw.events += records.length;
        }
        from = (records.at(-1)?.seq ?? from) + 1;
      }
      const t0 = performance.now();
      index.flush();
      result.applySeconds += (performance.now() - t0) / 1000;
      result.rssBytes = process.memoryUsage().rss;
      result.raw.bytes = raw.bytes();
    } finally {
      raw.close();
      index.close();
    }
  } finally {
    await log.close();
  }
  return result;
}

function requestsByKind(samples: LookupSamples, perKind: number, span: { start: number; end: number }) {
  return new Map<LookupKind, LookupEventsRequest[]>(
    LOOKUP_KINDS.map((k) => [k, samples.requests(k, perKind, span)]),
  );
}

/** LookupEvents' JSON response as the wire carries it (timestamps as epoch seconds). */
function wireBody(response: LookupEventsResponse): string {
  return JSON.stringify(response, (_k, v) =>
    typeof v === "string" && /^\d{4}-\d\d-\d\dT.*Z$/.test(v) ? Date.parse(v) / 1000 : v,
  );
}

/**
 * Waits until this process is nearly idle (under 10% of a core for two half-second windows):
 * the server's other log consumers (Insights, Lake) first read the million events just written.
 */
async function waitUntilIdle(maxMs: number): Promise<number> {
  const start = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - start < maxMs) {
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const used = process.cpuUsage(cpu);
    quiet = (used.user + used.system) / 1000 < 50 ? quiet + 1 : 0;
  }
  return Math.round(performance.now() - start);
}

const fmt = (l: Latency) => `p50 ${l.p50} ms, p99 ${l.p99} ms (CPU p99 ${l.cpuP99} ms)`;

/**
 * Event history at scale: index build rate, storage per event, and LookupEvents latency per
 * attribute, direct and through OpenTrail's HTTP API (SigV4 + AWS JSON), next to a bare
 * node:http server answering the same response bytes in the same run.
 */
export async function benchHistory(
  opts: { events?: number; lookups?: number } = {},
): Promise<Record<string, unknown>> {
  const count = opts.events ?? 1_000_000;
  const perKind = opts.lookups ?? 2000;
  const dir = mkdtempSync(join(tmpdir(), "opentrail-bench-history-"));
  const dataDir = join(dir, "data");
  const end = Date.now();
  const span = { start: end - 89 * DAY, end };
  const samples = new LookupSamples();
  try {
    const seeded = await seed(dataDir, count, span, samples);
    const { raw } = seeded;
    const config = resolveConfig(
      { port: 0, host: "127.0.0.1", data: dataDir, identities: writeIdentitiesFile(dir) },
      { OPENTRAIL_LOG_LEVEL: "silent" },
    );
    const scope: HistoryScope = { accountId: ADMIN.accountId, region: "us-east-1" };
    // Direct calls on the index alone (the server's other consumers would share the process).
    const index = HistoryIndex.open({ path: join(dataDir, "history.db") });
    const direct: Record<string, Latency> = {};
    const stats = index.stats();
    try {
      for (const [kind, inputs] of requestsByKind(samples, perKind, span)) {
        direct[kind] = await timeCalls(inputs, (input) => index.lookupEvents(input, scope));
      }
    } finally {
      index.close();
    }
    const app = await startOpenTrail(config, silentLogger);
    try {
      const idleAfterMs = await waitUntilIdle(180_000);
      const http = await benchHistoryHttp(app.url, ADMIN, requestsByKind(samples, perKind, span));
      const page = wireBody(await app.history.lookupEvents({}, scope));
      const bare = await bareHttpBaseline(page, perKind, ADMIN);
      const durable = await bareHttpBaseline(page, perKind, ADMIN, join(dir, "durable-baseline.bin"));
      const worst = (all: Record<string, Latency>, key: "p99" | "cpuP99") =>
        Math.max(...Object.values(all).map((l) => l[key]));
      const result: Record<string, unknown> = {
        events: count,
        "machine load (1-min average, cores)": `${loadavg()[0]?.toFixed(1)} on ${cpus().length}`,
        "index build (apply, batches of 1024 read back from the log)": `${Math.round(count / seeded.applySeconds)} events/s (${Math.round(count / seeded.applyCpuSeconds)} per CPU-second); target >= ${TARGETS.eventsPerSecond}`,
        "database bytes per event": `${(stats.databaseBytes / count).toFixed(1)} (page_count*page_size ${stats.databaseBytes}); target <= ${TARGETS.bytesPerEvent}`,
        "baseline: JSON rows in SQLite, no index": `${Math.round(raw.events / raw.seconds)} events/s, ${(raw.bytes / raw.events).toFixed(1)} bytes/event (first ${raw.events} events)`,
        "RSS after indexing (MiB)": Math.round(seeded.rssBytes / 2 ** 20),
        "server idle (its log consumers caught up) after (ms)": idleAfterMs,
        "interned strings": stats.strings,
        ...Object.fromEntries(Object.entries(direct).map(([k, l]) => [`direct ${k}`, fmt(l)])),
        ...Object.fromEntries(Object.entries(http).map(([k, l]) => [`HTTP ${k}`, fmt(l)])),
        "bare node:http, same client and 50-event response": fmt(bare),
        "bare node:http + append & fdatasync per call": fmt(durable),
        "worst p99 direct / HTTP (ms)": `${worst(direct, "p99")} / ${worst(http, "p99")} (CPU ${worst(direct, "cpuP99")} / ${worst(http, "cpuP99")}); target <= ${TARGETS.lookupP99Ms}`,
        "worst HTTP p99 / bare + fdatasync p99": (worst(http, "p99") / durable.p99).toFixed(2),
      };
      printTable(`Event history (${count} events, ${perKind} lookups per kind)`, result);
      return result;
    } finally {
      await app.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const events = Number(process.env.HISTORY_BENCH_EVENTS ?? 1_000_000);
  await benchHistory({ events });
}
