/**
 * Trail delivery benchmark, with a same-run baseline.
 *   latency:    event acknowledged by the log (durable) → its log file in the bucket, at a 1 s
 *               delivery interval, events arriving at a steady rate; p50/p99 (target p99 ≤ 1.5 s).
 *   throughput: a backlog of realistic management events delivered by one trail (selection,
 *               `{"Records":[...]}`, gzip, SHA-256, journal and commit) vs raw gzip of the same
 *               records in files of the same size (target ≥ 50 %).
 * Run alone with `node --import tsx bench/trails-bench.ts`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { gunzipSync, gzip } from "node:zlib";
import { silentLogger } from "../src/config/logger.js";
import { serializeEvent } from "../src/events/serialize-event.js";
import { EventLog } from "../src/log/index.js";
import type { RequestContext } from "../src/server/request-context.js";
import { logFileBody } from "../src/trails/delivery/log-file.js";
import { createTrailsService, type TrailBucketStore } from "../src/trails/index.js";
import { createEventGenerator } from "./support/event-generator.js";
import { percentile } from "./support/stats.js";

const gzipAsync = promisify(gzip);
const ACCOUNT = "111122223333";
const BUCKET = "bench-trail";
const LATENCY_RATE = 200;
const LATENCY_SECONDS = 8;
const BACKLOG = 100_000;
const FILE_RECORDS = 5_000;

const ctx: RequestContext = {
  requestId: "bench",
  principal: {
    type: "Root",
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    principalId: ACCOUNT,
    accessKeyId: "AKIABENCH",
    admin: true,
  },
  region: "us-east-1",
  service: "cloudtrail",
  sourceIPAddress: "127.0.0.1",
  userAgent: "bench",
  receivedAt: new Date(),
};

/** Keeps objects in memory; when `watch` is set, notes when each eventID landed. */
class BenchStore implements TrailBucketStore {
  bytes = 0;
  files = 0;
  landed: Map<string, number> | undefined;
  async headBucket() {
    return { exists: true };
  }
  async putObject(_bucket: string, _key: string, body: Buffer) {
    const at = performance.now();
    this.bytes += body.length;
    this.files++;
    if (this.landed) {
      for (const r of JSON.parse(gunzipSync(body).toString()).Records) this.landed.set(r.eventID, at);
    }
    return {};
  }
}

function payloads(n: number, seed: number): Buffer[] {
  const gen = createEventGenerator({ count: n, seed, accounts: [ACCOUNT], regions: [["us-east-1", 1]] });
  return Array.from({ length: n }, () => Buffer.from(serializeEvent(gen.next())));
}

function serviceOptions(dir: string, intervalSeconds: number, store: BenchStore, maxFileRecords?: number) {
  return {
    dataDir: dir,
    regions: ["us-east-1"],
    store,
    checkBucketPolicy: () => true,
    deliveryIntervalSeconds: intervalSeconds,
    digestIntervalSeconds: 3600,
    logger: silentLogger,
    maxFileRecords,
  };
}

async function setup(dir: string, intervalSeconds: number, store: BenchStore, maxFileRecords?: number) {
  const log = await EventLog.open({ dir: join(dir, "log") });
  const service = createTrailsService(serviceOptions(dir, intervalSeconds, store, maxFileRecords));
  service.start(log);
  await service.handlers.CreateTrail({ Name: "Bench", S3BucketName: BUCKET }, ctx);
  await service.handlers.StartLogging({ Name: "Bench" }, ctx);
  return { log, service, arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/Bench` };
}

async function latency(dir: string): Promise<Record<string, unknown>> {
  const store = new BenchStore();
  store.landed = new Map();
  const { log, service, arn } = await setup(join(dir, "latency"), 1, store);
  try {
    const records = payloads(LATENCY_RATE * LATENCY_SECONDS, 7);
    const acked = new Map<string, number>();
    const start = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < records.length; i++) {
      const due = start + (i * 1000) / LATENCY_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const payload = records[i] as Buffer;
      const id = JSON.parse(payload.toString()).eventID as string;
      pending.push(log.append(payload).then(() => acked.set(id, performance.now())));
    }
    await Promise.all(pending);
    await service.caughtUp(arn, log.endSeq);
    const samples = [...acked].map(([id, t]) => (store.landed?.get(id) ?? Number.NaN) - t);
    const lost = samples.filter((s) => Number.isNaN(s)).length;
    return {
      intervalMs: 1000,
      events: samples.length,
      lost,
      p50Ms: Math.round(percentile(samples, 50)),
      p99Ms: Math.round(percentile(samples, 99)),
      maxMs: Math.round(Math.max(...samples)),
      files: store.files,
      targetP99Ms: 1500,
    };
  } finally {
    await service.stop();
    await log.close();
  }
}

/** Raw gzip of the same records, in files of the same size, through the same async gzip. */
async function rawGzip(records: Buffer[]): Promise<{ seconds: number; gzBytes: number }> {
  const t0 = performance.now();
  let gzBytes = 0;
  for (let i = 0; i < records.length; i += FILE_RECORDS) {
    gzBytes += (await gzipAsync(logFileBody(records.slice(i, i + FILE_RECORDS)))).length;
  }
  return { seconds: (performance.now() - t0) / 1000, gzBytes };
}

async function throughput(dir: string): Promise<Record<string, unknown>> {
  const records = payloads(BACKLOG, 11);
  const rawBytes = records.reduce((n, r) => n + r.length, 0);
  await rawGzip(records.slice(0, FILE_RECORDS * 2)); // warm-up
  const before = await rawGzip(records);

  // The backlog is appended while no delivery runs, then one trail delivers all of it.
  const folder = join(dir, "throughput");
  const store = new BenchStore();
  const first = await setup(folder, 0.05, store, FILE_RECORDS);
  await first.service.stop();
  for (let i = 0; i < records.length; i += 1000) await first.log.appendBatch(records.slice(i, i + 1000));
  const end = first.log.endSeq;
  await first.log.close();
  const log = await EventLog.open({ dir: join(folder, "log") });
  const service = createTrailsService({ ...serviceOptions(folder, 0.05, store, FILE_RECORDS) });
  try {
    const t1 = performance.now();
    service.start(log);
    await service.caughtUp(first.arn, end);
    const seconds = (performance.now() - t1) / 1000;
    const after = await rawGzip(records);
    const gzipRate = records.length / ((before.seconds + after.seconds) / 2);
    const trailRate = records.length / seconds;
    return {
      events: records.length,
      avgEventBytes: Math.round(rawBytes / records.length),
      compression: Math.round((rawBytes / before.gzBytes) * 10) / 10,
      files: store.files,
      trailEventsPerSec: Math.round(trailRate),
      rawGzipEventsPerSec: Math.round(gzipRate),
      ratioToRawGzip: Math.round((trailRate / gzipRate) * 100) / 100,
      targetRatio: 0.5,
    };
  } finally {
    await service.stop();
    await log.close();
  }
}

export async function benchTrails(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), "opentrail-trails-bench-"));
  try {
    const results = {
      "delivery latency (ack → object), 1 s interval": await latency(dir),
      "delivery throughput vs raw gzip": await throughput(dir),
    };
    for (const [name, figures] of Object.entries(results)) {
      console.log(
        `${name.padEnd(46)} ${Object.entries(figures)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}`,
      );
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchTrails();
}
