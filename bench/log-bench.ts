/**
 * Event log durability benchmark: durable appends of 800-byte records, with same-run baselines.
 *   (a) raw fs: write + fdatasync one record at a time
 *   (b) raw fs: write + fdatasync 256 records at a time (the disk's batched ceiling)
 *   (c) EventLog: group commit driven by N concurrent `append` callers, and `appendBatch(256)`
 * Every figure counts only acknowledged-durable records. Each (c) case is compared with a (b)
 * run made just before it, so that a busy shared disk skews both sides alike. Run alone with
 * `node --import tsx bench/log-bench.ts`.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EventLog } from "../src/log/index.js";

const RECORD_BYTES = 800;
const FRAME_BYTES = RECORD_BYTES + 8;
const RUN_MS = 2000;
const WARMUP_MS = 300;

interface Figure {
  eventsPerSec: number;
  [k: string]: unknown;
}

/** (a) and (b): frames of the log's size written at the end of a growing file, as the log does. */
function rawDurable(dir: string, batch: number, ms = RUN_MS): Figure {
  const fd = openSync(join(dir, `raw-${batch}.dat`), "w");
  const buf = Buffer.alloc(FRAME_BYTES * batch, 0x61);
  let events = 0;
  const start = performance.now();
  try {
    while (performance.now() - start < ms) {
      writeSync(fd, buf);
      fdatasyncSync(fd);
      events += batch;
    }
  } finally {
    closeSync(fd);
  }
  return { eventsPerSec: events / ((performance.now() - start) / 1000) };
}

/** Runs `worker` on `callers` concurrent loops for `ms`; returns events/s and ack latencies. */
async function drive(
  callers: number,
  ms: number,
  worker: () => Promise<number>,
): Promise<{ eventsPerSec: number; latencies: number[] }> {
  let events = 0;
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const done = await worker();
        events += done;
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { eventsPerSec: events / ((performance.now() - start) / 1000), latencies };
}

/** (c): a fresh log per case, warmed up, then measured. */
async function logDurable(dir: string, callers: number, batch: number): Promise<Figure> {
  const logDir = await mkdtemp(join(dir, "log-"));
  const log = await EventLog.open({ dir: logDir });
  const payload = Buffer.alloc(RECORD_BYTES, 0x61);
  const payloads = Array.from({ length: batch }, () => payload);
  const worker =
    batch === 1 ? () => log.append(payload).then(() => 1) : () => log.appendBatch(payloads).then(() => batch);
  try {
    await drive(callers, WARMUP_MS, worker);
    const before = { ...log.stats };
    const { eventsPerSec, latencies } = await drive(callers, RUN_MS, worker);
    const flushes = log.stats.flushes - before.flushes;
    const fsyncs = log.stats.fsyncs - before.fsyncs;
    latencies.sort((a, b) => a - b);
    return {
      eventsPerSec,
      recordsPerFlush: Math.round((log.stats.appends - before.appends) / flushes),
      fsyncsPerSec: Math.round(fsyncs / (RUN_MS / 1000)),
      ackP50Ms: round2(latencies[Math.floor(latencies.length * 0.5)] ?? 0),
      ackP99Ms: round2(latencies[Math.floor(latencies.length * 0.99)] ?? 0),
    };
  } finally {
    await log.close();
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function benchLog(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), "opentrail-log-bench-"));
  try {
    const rawSingle = rawDurable(dir, 1);
    const rawBatch256 = rawDurable(dir, 256);
    const cases: [string, number, number][] = [
      ["log: 64 concurrent append()", 64, 1],
      ["log: 256 concurrent append()", 256, 1],
      ["log: 1024 concurrent append()", 1024, 1],
      ["log: 1 caller appendBatch(256)", 1, 256],
      ["log: 4 concurrent appendBatch(256)", 4, 256],
    ];
    const results: Record<string, unknown> = {
      recordBytes: RECORD_BYTES,
      "raw: write+fdatasync per record": rawSingle,
      "raw: write+fdatasync per 256 records": rawBatch256,
    };
    for (const [name, callers, batch] of cases) {
      // The disk may be shared: the ratio is to a (b) run measured right before this case.
      const baseline = rawDurable(dir, 256, RUN_MS / 2);
      const figure = await logDurable(dir, callers, batch);
      figure.rawBatch256Before = Math.round(baseline.eventsPerSec);
      figure.ratioToRawBatch256 = round2(figure.eventsPerSec / baseline.eventsPerSec);
      results[name] = figure;
    }
    for (const [name, value] of Object.entries(results)) {
      if (typeof value !== "object" || value === null) continue;
      const { eventsPerSec, ...rest } = value as Figure;
      const extra = Object.entries(rest).map(([k, v]) => `${k}=${v}`);
      console.log(
        `${name.padEnd(40)} ${Math.round(eventsPerSec).toLocaleString("en-US").padStart(9)} events/s  ${extra.join(" ")}`,
      );
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchLog();
}
