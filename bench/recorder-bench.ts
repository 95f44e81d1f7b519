/**
 * Durable recorder throughput: full CloudTrail records going through the one path every
 * capture source uses (fill, validate, cap, serialise in CloudTrail order, append with group
 * commit), with 1,024 concurrent callers, next to raw write+fdatasync of the same bytes in
 * batches of 256 measured in the same run. Target: >= 200,000 durable events/s. The CPU time per
 * event (all threads of the process) is printed too: on a shared machine it moves much less
 * than the rates do. Figures are medians of five rounds, after one uncounted warm-up round.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EventLog } from "../src/log/index.js";
import type { EventDraft } from "../src/recorder/event-sink.js";
import { Recorder } from "../src/recorder/recorder.js";
import { median, printTable, withCpuTime } from "./support/stats.js";

const RUN_MS = 2000;
const CALLERS = 1024;

function draft(i: number): EventDraft {
  const user = `user${i % 200}`;
  return {
    userIdentity: {
      type: "IAMUser",
      principalId: "AIDAEXAMPLEEXAMPLE12",
      arn: `arn:aws:iam::123456789012:user/${user}`,
      accountId: "123456789012",
      accessKeyId: "AKIAEXAMPLEEXAMPLE12",
      userName: user,
    },
    eventSource: "ec2.amazonaws.com",
    eventName: i % 3 === 0 ? "DescribeInstances" : "AuthorizeSecurityGroupIngress",
    awsRegion: "us-east-1",
    sourceIPAddress: "192.0.2.10",
    userAgent: "aws-cli/2.13.5 Python/3.11.4 Linux/6.1 exe/x86_64 prompt/off command/ec2.describe-instances",
    requestParameters: {
      groupId: `sg-${(i % 9999).toString(16).padStart(8, "0")}`,
      ipPermissions: { items: [] },
    },
    responseElements: null,
    requestID: "9d478fc1-4f10-490f-a26b-000000000000",
    readOnly: i % 3 === 0,
    eventType: "AwsApiCall",
    managementEvent: true,
    eventCategory: "Management",
  };
}

function rawBatched(dir: string, bytes: Buffer[], ms: number): number {
  const fd = openSync(join(dir, "raw.dat"), "w");
  const batch = Buffer.concat(bytes.slice(0, 256));
  let events = 0;
  const start = performance.now();
  try {
    while (performance.now() - start < ms) {
      writeSync(fd, batch);
      fdatasyncSync(fd);
      events += 256;
    }
  } finally {
    closeSync(fd);
  }
  return events / ((performance.now() - start) / 1000);
}

/** A rate and the process CPU time (all threads) it took per event, which a busy machine skews less. */
interface Rate {
  perSec: number;
  cpuUsPerEvent: number;
}

async function measured(run: () => Promise<number>): Promise<Rate> {
  const { value: events, ms, cpuMs } = await withCpuTime(run);
  return { perSec: events / (ms / 1000), cpuUsPerEvent: (cpuMs * 1000) / events };
}

async function recorderBatches(dir: string, ms: number): Promise<Rate> {
  const logDir = await mkdtemp(join(dir, "log-"));
  const log = await EventLog.open({ dir: logDir });
  const recorder = new Recorder(log);
  const rate = await measured(async () => {
    let events = 0;
    const deadline = performance.now() + ms;
    await Promise.all(
      Array.from({ length: 4 }, async (_, c) => {
        for (let i = c * 256; performance.now() < deadline; i += 1024) {
          await recorder.recordBatch(Array.from({ length: 256 }, (_, k) => draft(i + k)));
          events += 256;
        }
      }),
    );
    return events;
  });
  await log.close();
  // Each phase writes ~1 GB; kept, the rounds' logs would fill a small /tmp.
  await rm(logDir, { recursive: true, force: true });
  return rate;
}

async function recorderDurable(dir: string, ms: number): Promise<Rate> {
  const logDir = await mkdtemp(join(dir, "log-"));
  const log = await EventLog.open({ dir: logDir });
  const recorder = new Recorder(log);
  const rate = await measured(async () => {
    let events = 0;
    const deadline = performance.now() + ms;
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, c) => {
        for (let i = c; performance.now() < deadline; i += CALLERS) {
          await recorder.record(draft(i));
          events++;
        }
      }),
    );
    return events;
  });
  await log.close();
  // Each phase writes ~1 GB; kept, the rounds' logs would fill a small /tmp.
  await rm(logDir, { recursive: true, force: true });
  return rate;
}

export async function benchRecorder(rounds = 5): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), "opentrail-bench-rec-"));
  try {
    const sample = new Recorder({ append: async () => 0 });
    const bytes = Array.from({ length: 256 }, (_, i) => Buffer.from(sample.encode(draft(i)).json));
    const avg = Math.round(bytes.reduce((s, b) => s + b.length, 0) / bytes.length);
    const raw: number[] = [];
    const rec: Rate[] = [];
    const batched: Rate[] = [];
    // Round -1 warms up (JIT, the log's first segment files) and is not counted: a cold first
    // round ran ~15% slower than the later ones and would be one of the rounds the median is from.
    for (let r = -1; r < rounds; r++) {
      const counted = r >= 0;
      const rawRate = rawBatched(dir, bytes, RUN_MS);
      const recRate = await recorderDurable(dir, RUN_MS);
      const batchedRate = await recorderBatches(dir, RUN_MS);
      if (!counted) continue;
      raw.push(rawRate);
      rec.push(recRate);
      batched.push(batchedRate);
    }
    const perSec = (rates: Rate[]) => median(rates.map((r) => r.perSec));
    const cpu = (rates: Rate[]) => Number(median(rates.map((r) => r.cpuUsPerEvent)).toFixed(2));
    const result = {
      "record size (bytes)": avg,
      "raw append+fdatasync, batches of 256 (events/s, median)": Math.round(median(raw)),
      [`recorder, ${CALLERS} concurrent callers (durable events/s, median)`]: Math.round(perSec(rec)),
      "recorder / raw": Number((perSec(rec) / median(raw)).toFixed(2)),
      [`recorder, ${CALLERS} concurrent callers (process CPU µs/event, median)`]: cpu(rec),
      "recorder, 4 concurrent recordBatch(256) (durable events/s, median)": Math.round(perSec(batched)),
      "recordBatch / raw": Number((perSec(batched) / median(raw)).toFixed(2)),
      "recorder, 4 concurrent recordBatch(256) (process CPU µs/event, median)": cpu(batched),
      target: ">= 200,000 durable events/s",
    };
    printTable("Durable recorder", result);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchRecorder();
}
