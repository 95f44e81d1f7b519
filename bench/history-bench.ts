import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { LookupEventsRequest, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import Database from "better-sqlite3";
import { HistoryIndex, type HistoryScope } from "../src/history/index.js";
import { EventLog } from "../src/log/index.js";
import { ADMIN, writeIdentitiesFile } from "../src/test-support/fixtures.js";
import {
  type BenchProcess,
  cpuMs,
  spawnOpenTrail,
  spawnScript,
  stopProcess,
} from "./support/bench-process.js";
import { createEventGenerator } from "./support/event-generator.js";
import { benchHttpSeries, type HttpLatency, type Latency, timeCalls } from "./support/history-http.js";
import { LOOKUP_KINDS, type LookupKind, LookupSamples } from "./support/lookup-samples.js";
import { printTable } from "./support/stats.js";

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
 * Waits until the server is nearly idle (under 10% of a core for two half-second windows): its
 * other log consumers (Insights) first read the million events just written.
 */
async function waitUntilIdle(pid: number | undefined, maxMs: number): Promise<number> {
  const start = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - start < maxMs) {
    const cpu = cpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    quiet = cpuMs(pid) - cpu < 50 ? quiet + 1 : 0;
  }
  return Math.round(performance.now() - start);
}

const fmt = (l: Latency) => `p50 ${l.p50} ms, p99 ${l.p99} ms (CPU p99 ${l.cpuP99} ms)`;
const fmtHttp = (l: HttpLatency) => `p50 ${l.p50} ms, p99 ${l.p99} ms (server CPU ${l.serverCpuMs} ms/call)`;
const BARE = "bare node:http";
const DURABLE = "bare node:http + append & fdatasync per call";

/**
 * Event history at scale: index build rate, storage per event, and LookupEvents latency per
 * attribute, direct and through OpenTrail's HTTP API (SigV4 + AWS JSON; OpenTrail from dist/
 * in a process of its own, as users run it), interleaved with two bare node:http servers
 * answering the same response bytes (one of them durably appending a record first).
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
    const scope: HistoryScope = { accountId: ADMIN.accountId, region: "us-east-1" };
    // Direct calls on the index alone, in this process.
    const index = HistoryIndex.open({ path: join(dataDir, "history.db") });
    const direct: Record<string, Latency> = {};
    const stats = index.stats();
    const bodyFile = join(dir, "page.json");
    try {
      for (const [kind, inputs] of requestsByKind(samples, perKind, span)) {
        direct[kind] = await timeCalls(inputs, (input) => index.lookupEvents(input, scope));
      }
      writeFileSync(bodyFile, wireBody(index.lookupEvents({}, scope)));
    } finally {
      index.close();
    }
    // OpenTrail as users run it, on the seeded data folder, and the baselines: each a process of
    // its own, called from this one.
    const servers: BenchProcess[] = [];
    try {
      const ot = await spawnOpenTrail([
        "serve",
        "--port",
        "0",
        "--data",
        dataDir,
        "--identities",
        writeIdentitiesFile(dir),
        "--log-level",
        "warn",
      ]);
      servers.push(ot);
      const bare = await spawnScript("bench/support/history-bare-server.ts", [bodyFile]);
      servers.push(bare);
      const durable = await spawnScript("bench/support/history-bare-server.ts", [
        bodyFile,
        join(dir, "durable-baseline.bin"),
      ]);
      servers.push(durable);
      const idleAfterMs = await waitUntilIdle(ot.proc.pid, 180_000);
      const url = (p: BenchProcess) => `http://127.0.0.1:${p.port}`;
      const page = Array.from({ length: perKind }, () => ({ MaxResults: 50 }));
      const http = await benchHttpSeries(
        Object.assign(
          Object.fromEntries(
            [...requestsByKind(samples, perKind, span)].map(([kind, inputs]) => [
              kind,
              { url: url(ot), pid: ot.proc.pid, inputs },
            ]),
          ),
          {
            [BARE]: { url: url(bare), pid: bare.proc.pid, inputs: page },
            [DURABLE]: { url: url(durable), pid: durable.proc.pid, inputs: page },
          },
        ),
        ADMIN,
      );
      const { [BARE]: bareLatency, [DURABLE]: durableLatency, ...lookups } = http;
      const worstDirect = Math.max(...Object.values(direct).map((l) => l.p99));
      const worstHttp = Math.max(...Object.values(lookups).map((l) => l.p99));
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
        ...Object.fromEntries(Object.entries(lookups).map(([k, l]) => [`HTTP ${k}`, fmtHttp(l)])),
        [`${BARE}, same client and 50-event response`]: fmtHttp(bareLatency as HttpLatency),
        [DURABLE]: fmtHttp(durableLatency as HttpLatency),
        "worst p99 direct / HTTP (ms)": `${worstDirect} / ${worstHttp}; target <= ${TARGETS.lookupP99Ms}`,
        "worst HTTP p99 / bare + fdatasync p99": (worstHttp / (durableLatency as HttpLatency).p99).toFixed(2),
      };
      printTable(`Event history (${count} events, ${perKind} lookups per kind)`, result);
      return result;
    } finally {
      await Promise.all(servers.map(stopProcess));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const events = Number(process.env.HISTORY_BENCH_EVENTS ?? 1_000_000);
  await benchHistory({ events });
}
