/**
 * CloudTrail Lake benchmark, with same-run baselines.
 *   ingest:  N generated management events are recorded through the recorder into the event
 *            log (timed apart: the recorder has its own bench), then two event data stores (all
 *            management events; write calls only) turn the log into Parquet; events/s until
 *            both have caught up and maintenance has merged the quiet days and months (the idle
 *            wait for them to turn quiet not counted) (target ≥ 100,000/s), next to DuckDB
 *            alone writing one Parquet file from the same events' gzip log files.
 *   size:    the stores' Parquet bytes per event vs the same events as gzip CloudTrail log
 *            files (target ≤ 30 %), and vs one well-written Parquet file.
 *   queries: five investigations through StartQuery/GetQueryResults (HTTP, SigV4, sandbox)
 *            next to DuckDB over the gzip log files (what a user without Lake does) and DuckDB
 *            over one well-written Parquet file (the limit). Targets: ≥ 100x faster than gzip
 *            JSON and within 2x of bare Parquet.
 * N = LAKE_BENCH_EVENTS (default 10,000,000; e.g. 200000 while developing); the DuckDB-alone
 * ingest rate is measured on the first LAKE_BENCH_BASELINE_EVENTS (default 1,000,000) of them.
 * Run alone with `node --import tsx bench/lake-bench.ts`.
 */
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { GetQueryResultsCommand, StartQueryCommand } from "@aws-sdk/client-cloudtrail";
import { DuckDBInstance } from "@duckdb/node-api";
import type { CloudTrailEvent } from "../src/events/cloudtrail-event.js";
import { serializeEvent } from "../src/events/serialize-event.js";
import { EVENT_COLUMNS } from "../src/lake/storage/event-schema.js";
import { QUIET_MS } from "../src/lake/storage/store-files.js";
import type { EventDraft } from "../src/recorder/event-sink.js";
import { ADMIN } from "../src/test-support/fixtures.js";
import { cloudTrailClient, startTestServer } from "../src/test-support/server.js";
import { createEventGenerator } from "./support/event-generator.js";
import { median, printTable } from "./support/stats.js";

const gzipAsync = promisify(gzip);
const DAY = 86_400_000;
const START = Date.parse("2024-03-01T00:00:00Z");
const SPAN_DAYS = 60;
const RECORDS_PER_FILE = 2000;
/** The DuckDB-alone ingest baseline's rate is measured on at most this many events. */
const BASELINE_EVENTS = Number(process.env.LAKE_BENCH_BASELINE_EVENTS ?? 1_000_000);

export async function benchLake(events = Number(process.env.LAKE_BENCH_EVENTS ?? 10_000_000)) {
  const server = await startTestServer({ OPENTRAIL_LAKE_QUERY_TIMEOUT: "3600" });
  const ct = cloudTrailClient(server.url);
  const work = join(server.dir.path, "bench");
  const gzDir = join(work, "gz");
  await mkdir(gzDir, { recursive: true });
  try {
    const all = await createStore(ct, "bench-all", undefined);
    const writes = await createStore(ct, "bench-writes", [
      {
        FieldSelectors: [
          { Field: "eventCategory", Equals: ["Management"] },
          { Field: "readOnly", Equals: ["false"] },
        ],
      },
    ]);
    // Recording (not the Lake's work, timed apart): the events go through the recorder into the
    // durable log while the stores' consumers are paused, and also become gzip CloudTrail log
    // files, the input of the "without Lake" baseline.
    const entries = [all.id, writes.id].map((id) => server.app.lake.runtime.stores.get(id));
    for (const e of entries) await e?.ingest.stop();
    const gen = createEventGenerator({
      count: events,
      start: new Date(START),
      end: new Date(START + SPAN_DAYS * DAY),
      accounts: [ADMIN.accountId],
    });
    let gzBytes = 0;
    let sampleArn = "";
    let recordMs = 0;
    for (let done = 0, file = 0; done < events; file++) {
      const batch: CloudTrailEvent[] = [];
      for (let i = 0; i < RECORDS_PER_FILE && done < events; i++, done++) batch.push(gen.next());
      if (!sampleArn && done > events / 2) sampleArn = String(batch[0]?.userIdentity?.arn ?? "");
      const t = performance.now();
      await server.app.recorder.recordBatch(batch as unknown as EventDraft[]);
      recordMs += performance.now() - t;
      const body = await gzipAsync(`{"Records":[${batch.map((e) => serializeEvent(e)).join(",")}]}`);
      gzBytes += body.length;
      await writeFile(join(gzDir, `f${String(file).padStart(6, "0")}.json.gz`), body);
      if (file % 500 === 0) process.stderr.write(`  recorded ${done.toLocaleString("en-US")} events\n`);
    }

    // Lake ingest: both stores turn the log into Parquet (selection, one sorted file per day and
    // batch, compaction of finished days) until they have caught up and maintenance has run.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const e of entries) e?.ingest.start();
    await server.app.lake.caughtUp(all.id, server.app.log.endSeq);
    await server.app.lake.caughtUp(writes.id, server.app.log.endSeq);
    const caught = performance.now();
    // Days and ended months are merged once no new file came for them for QUIET_MS (a bulk load
    // has moved on); that idle wait is not ingest work and is not counted.
    await new Promise((r) => setTimeout(r, QUIET_MS + 100));
    const maintenance0 = performance.now();
    await server.app.lake.maintain();
    const ingested = caught + (performance.now() - maintenance0);
    const ingestCpu = cpuSeconds(process.cpuUsage(cpu0));
    const storeFiles = (id: string) => server.app.lake.runtime.stores.get(id)?.files.list ?? [];
    const storeBytes = sumBytes(storeFiles(all.id));
    const writesEvents = storeFiles(writes.id).reduce((s, f) => s + f.rows, 0);

    // Baselines run on a DuckDB of their own with the sandbox's two threads (the Lake's writer
    // runs one thread per statement, which would slow them).
    // Spills go to the bench's folder: DuckDB's default is `.tmp` in the working directory.
    const duck = await DuckDBInstance.create(":memory:", {
      threads: "2",
      memory_limit: "1GB",
      temp_directory: join(work, "duckdb-spill"),
    });
    const conn = await duck.connect();
    await conn.run("SET TimeZone = 'UTC'");
    const writer = { run: async (sql: string) => (await conn.runAndReadAll(sql)).getRowsJson() };
    const onePath = join(work, "all.parquet");
    const oneWritesPath = join(work, "writes.parquet");
    const recordsType = `STRUCT(${EVENT_COLUMNS.map(([n, t]) => `"${n}" ${t}`).join(", ")})[]`;
    const gzSource = (files: string) => `SELECT r.* FROM (SELECT unnest(Records) AS r
      FROM read_json(${files}, format = 'auto', maximum_object_size = 67108864, columns = {Records: '${recordsType}'}))`;
    await writer.run(`CREATE OR REPLACE VIEW gz_all AS ${gzSource(`'${gzDir}/*.json.gz'`)}`);
    await writer.run("CREATE OR REPLACE VIEW gz_writes AS SELECT * FROM gz_all WHERE readOnly = false");
    const oneOptions = "FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2, ROW_GROUP_SIZE 245760";
    // The ingest baseline: DuckDB alone turning gzip log files (name order is eventTime order)
    // into one well-written Parquet file, timed on the first BASELINE_EVENTS events at most.
    const sampleFiles = Math.ceil(Math.min(events, BASELINE_EVENTS) / RECORDS_PER_FILE);
    const sampleEvents = Math.min(events, sampleFiles * RECORDS_PER_FILE);
    const sampleList = `[${Array.from({ length: sampleFiles }, (_, f) => `'${gzDir}/f${String(f).padStart(6, "0")}.json.gz'`).join(", ")}]`;
    const samplePath = sampleEvents === events ? onePath : join(work, "sample.parquet");
    const b0 = performance.now();
    const bCpu0 = process.cpuUsage();
    await writer.run(`COPY (${gzSource(sampleList)}) TO '${samplePath}' (${oneOptions})`);
    const baselineMs = performance.now() - b0;
    const baselineCpu = cpuSeconds(process.cpuUsage(bCpu0));
    // The limit: one well-written Parquet file per store. Beyond the sample it is written from
    // the store's own files in eventTime order (the same events; far faster than gzip JSON).
    if (samplePath !== onePath) {
      const paths = storeFiles(all.id).map(
        (f) => `'${join(server.app.lake.runtime.stores.get(all.id)?.files.dir ?? "", f.path)}'`,
      );
      const ordered = await writer.run(`SELECT file_name FROM parquet_metadata([${paths.join(", ")}])
        WHERE path_in_schema = 'eventTime' GROUP BY file_name ORDER BY min(CAST(stats_min_value AS TIMESTAMP))`);
      const list = `[${ordered.map((r) => `'${String(r[0])}'`).join(", ")}]`;
      await writer.run(`COPY (SELECT * FROM read_parquet(${list})) TO '${onePath}' (${oneOptions})`);
    }
    await writer.run(
      `COPY (SELECT * FROM read_parquet('${onePath}') WHERE readOnly = false) TO '${oneWritesPath}' (${oneOptions})`,
    );
    const oneBytes = (await stat(onePath)).size;

    const day = new Date(START + 20 * DAY).toISOString().slice(0, 10);
    const next = new Date(START + 21 * DAY).toISOString().slice(0, 10);
    const from = new Date(START + 10 * DAY).toISOString().slice(0, 10);
    const to = new Date(START + 40 * DAY).toISOString().slice(0, 10);
    const queries: Array<[string, (a: string, b: string) => string]> = [
      [
        "count by eventName, one day",
        (a) =>
          `SELECT eventName, count(*) AS n FROM ${a} WHERE eventTime >= '${day} 00:00:00' AND eventTime < '${next} 00:00:00' GROUP BY eventName ORDER BY n DESC`,
      ],
      [
        "top error-producing users",
        (a) =>
          `SELECT userIdentity.arn, count(*) AS errors FROM ${a} WHERE errorCode IS NOT NULL GROUP BY userIdentity.arn ORDER BY errors DESC LIMIT 10`,
      ],
      [
        "one ARN's calls, 30 days",
        (a) =>
          `SELECT eventTime, eventName, sourceIPAddress FROM ${a} WHERE userIdentity.arn = '${sampleArn}' AND eventTime >= '${from} 00:00:00' AND eventTime < '${to} 00:00:00'`,
      ],
      [
        "LIKE scan over userAgent",
        (a) => `SELECT count(*) AS n FROM ${a} WHERE userAgent LIKE '%Boto3/1.28%'`,
      ],
      [
        "join of two stores",
        (a, b) =>
          `SELECT x.userIdentity.arn, count(*) AS n FROM ${a} x JOIN ${b} y ON x.eventID = y.eventID WHERE x.eventTime >= '${from} 00:00:00' GROUP BY 1 ORDER BY n DESC LIMIT 10`,
      ],
    ];

    await writer.run(`CREATE OR REPLACE VIEW pq_all AS SELECT * FROM read_parquet('${onePath}')`);
    await writer.run(`CREATE OR REPLACE VIEW pq_writes AS SELECT * FROM read_parquet('${oneWritesPath}')`);

    const rows: Record<string, string> = {};
    const ratios: number[] = [];
    for (const [name, sql] of queries) {
      // One untimed run each first: the first query of a kind pays for cold caches (file pages,
      // Parquet footers, the sandbox's view) on both sides; then the median of five.
      const lake = await timeRuns(5, () => lakeQuery(ct, sql(all.id, writes.id)), 1);
      const bare = await timeRuns(5, () => writer.run(sql("pq_all", "pq_writes")), 1);
      process.stderr.write(`  ${name}: lake ${fmt(lake)}, bare ${fmt(bare)}; gzip JSON...\n`);
      const gz = await timeRuns(1, () => writer.run(sql("gz_all", "gz_writes")));
      rows[name] =
        `lake ${fmt(lake)} | bare Parquet ${fmt(bare)} (${(lake / bare).toFixed(1)}x) | gzip JSON ${fmt(gz)} (${Math.round(gz / lake)}x faster)`;
      ratios.push(lake / bare);
    }
    const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en-US")}/s`;
    printTable(`Lake: ${events.toLocaleString("en-US")} events, ${SPAN_DAYS} days`, {
      "ingest (log → 2 stores)": `${rate(events, ingested - t0)} events (${fmt(ingested - t0)}, of which final maintenance ${fmt(ingested - caught)}; ${ingestCpu.toFixed(0)} CPU s; ${(events + writesEvents).toLocaleString("en-US")} rows written)`,
      "baseline: DuckDB alone": `${rate(sampleEvents, baselineMs)} events, gzip JSON → one Parquet file (${sampleEvents.toLocaleString("en-US")} events in ${fmt(baselineMs)}; ${((1e6 * baselineCpu) / sampleEvents).toFixed(0)} CPU µs/event, Lake ${((1e6 * ingestCpu) / events).toFixed(0)} for two stores)`,
      "recorder (not Lake)": `${rate(events, recordMs)} events into the durable log`,
      "store Parquet": `${(storeBytes / events).toFixed(1)} bytes/event, ${pct(storeBytes, gzBytes)} of gzip JSON (${(gzBytes / events).toFixed(1)} B/event)`,
      "one well-written Parquet": `${(oneBytes / events).toFixed(1)} bytes/event, ${pct(oneBytes, gzBytes)} of gzip JSON`,
      ...rows,
    });
    conn.closeSync();
    duck.closeSync();
    return { events, storeBytes, gzBytes, oneBytes, ratios, ingestMs: ingested - t0, baselineMs };
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function createStore(ct: ReturnType<typeof cloudTrailClient>, name: string, selectors: unknown) {
  const { CreateEventDataStoreCommand } = await import("@aws-sdk/client-cloudtrail");
  const out = await ct.send(
    new CreateEventDataStoreCommand({
      Name: name,
      RetentionPeriod: 3653,
      TerminationProtectionEnabled: false,
      AdvancedEventSelectors: selectors as never,
    }),
  );
  return { id: (out.EventDataStoreArn ?? "").split("/")[1] as string };
}

/** StartQuery, then GetQueryResults until the query settles and every page is read. */
async function lakeQuery(ct: ReturnType<typeof cloudTrailClient>, sql: string): Promise<void> {
  const { QueryId } = await ct.send(new StartQueryCommand({ QueryStatement: sql }));
  let token: string | undefined;
  for (;;) {
    const page = await ct.send(new GetQueryResultsCommand({ QueryId, NextToken: token }));
    if (page.QueryStatus === "QUEUED" || page.QueryStatus === "RUNNING") {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    if (page.QueryStatus !== "FINISHED") throw new Error(`${page.QueryStatus}: ${page.ErrorMessage}`);
    token = page.NextToken;
    if (!token) return;
  }
}

async function timeRuns(n: number, fn: () => Promise<unknown>, warmUp = 0): Promise<number> {
  for (let i = 0; i < warmUp; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
const sumBytes = (files: ReadonlyArray<{ bytes: number }>) => files.reduce((s, f) => s + f.bytes, 0);

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchLake();
