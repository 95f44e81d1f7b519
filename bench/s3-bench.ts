import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { makeFixture, OWNER, startAdapter } from "../src/s3/test-support.js";
import { S3LoadGenerator } from "./support/s3-load.js";
import { median, printTable, withCpuTime } from "./support/stats.js";

/**
 * PutObject / GetObject throughput of the built-in store through its HTTP handling path
 * (adapter server, no SigV4 check, in-memory event sink), next to raw file writes / reads of
 * the same bytes with the same durability, in the same run. Target: >= 50% of raw for 1 MB.
 *
 * Fairness: both sides keep CONCURRENCY operations in flight. A PUT is acknowledged once its
 * bytes, its file name and its index row are on disk, so the raw write fsyncs the file *and*
 * its folder (a new file's name is only durable after the folder fsync); the raw write with the
 * file fsync alone is printed too. The raw read uses the same primitive as the store (open, one
 * read of the known size, close). Rounds alternate raw and store so drifting load on the shared
 * machine hits both; ratios are per round, and the median is reported.
 * The main figures come from a load generator on its own thread (as a client would be in its
 * own process) sending what @aws-sdk/client-s3 sends, with the per-body work done once and
 * answers only counted (support/s3-connection.ts), so that the client, which shares the cores,
 * costs little. The SDK's own figures follow, from this thread: there its per-request SHA-256
 * payload signing over HTTP, CRC32 and response handling share the server's event loop.
 * Every phase also reports the CPU time of the whole process (all threads, load generator
 * included) per object: on a shared machine that moves far less than the wall-clock figures.
 */
const CONCURRENCY = 4;
const ROUNDS = 3;
const SIZES = [
  ["1KB", 1024, 400],
  ["1MB", 1024 * 1024, 48],
] as const;

interface Figures {
  mbPerSec: number;
  objectsPerSec: number;
  /**
   * CPU time of the whole process (every thread: event loop, thread pool, digest workers, load
   * generator) per object: what the work costs, which the shared machine disturbs far less
   * than the wall-clock figures.
   */
  cpuMsPerObject: number;
}

interface Phase {
  ms: number;
  cpuMs: number;
}

async function timed(run: () => Promise<unknown>): Promise<Phase> {
  const { ms, cpuMs } = await withCpuTime(run);
  return { ms, cpuMs };
}

function figures(count: number, size: number, phase: Phase): Figures {
  const seconds = phase.ms / 1000;
  return {
    mbPerSec: +((count * size) / 1e6 / seconds).toFixed(size < 1e5 ? 3 : 1),
    objectsPerSec: +(count / seconds).toFixed(1),
    cpuMsPerObject: +(phase.cpuMs / count).toFixed(3),
  };
}

/** Runs fn(0..count-1) with `CONCURRENCY` calls in flight. */
function inFlight(count: number, fn: (i: number) => Promise<void>): Promise<Phase> {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  return timed(() => Promise.all(Array.from({ length: CONCURRENCY }, worker)));
}

async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function rawWrite(dir: string, name: string, body: Buffer, withFolderSync: boolean): Promise<void> {
  const fh = await open(join(dir, name), "w");
  try {
    await fh.writeFile(body);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (withFolderSync) await syncFolder(dir);
}

async function rawRead(path: string, size: number): Promise<void> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await fh.read(buf, filled, size - filled, filled);
      if (bytesRead === 0) throw new Error("short read");
      filled += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

interface Round {
  put: Figures;
  get: Figures;
  rawWrite: Figures;
  rawWriteFileSyncOnly: Figures;
  rawRead: Figures;
}

function summary(rounds: Round[], pick: (r: Round) => Figures): Figures {
  return {
    mbPerSec: median(rounds.map((r) => pick(r).mbPerSec)),
    objectsPerSec: median(rounds.map((r) => pick(r).objectsPerSec)),
    cpuMsPerObject: median(rounds.map((r) => pick(r).cpuMsPerObject)),
  };
}

function ratios(rounds: Round[], ours: (r: Round) => Figures, raw: (r: Round) => Figures): number[] {
  // Same object size on both sides: the ratio of objects/s (MB/s is rounded for 1 KB objects).
  return rounds.map((r) => +(ours(r).objectsPerSec / raw(r).objectsPerSec).toFixed(2));
}

export async function benchS3(): Promise<Record<string, unknown>> {
  const fx = makeFixture();
  const adapter = await startAdapter(fx.service, () => OWNER);
  const sdk = new S3Client({
    endpoint: adapter.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
  const rawDir = mkdtempSync(join(tmpdir(), "opentrail-raw-"));
  const results: Record<string, unknown> = {};
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: "bench" }));
    for (const [label, size, count] of SIZES) {
      const body = randomBytes(size);
      const load = await S3LoadGenerator.start(adapter.url, CONCURRENCY, body);
      const rounds: Round[] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const dir = join(rawDir, `${label}-${round}`);
          mkdirSync(dir);
          const writeMs = await inFlight(count, (i) => rawWrite(dir, `${i}`, body, true));
          const writeOnlyMs = await inFlight(count, (i) => rawWrite(dir, `file-sync-only-${i}`, body, false));
          const keys = { bucket: "bench", prefix: `${label}/${round}/`, count };
          const putMs = await timed(() => load.run({ op: "put", ...keys }));
          const readMs = await inFlight(count, (i) => rawRead(join(dir, `${i}`), size));
          const getMs = await timed(() => load.run({ op: "get", ...keys }));
          rounds.push({
            put: figures(count, size, putMs),
            get: figures(count, size, getMs),
            rawWrite: figures(count, size, writeMs),
            rawWriteFileSyncOnly: figures(count, size, writeOnlyMs),
            rawRead: figures(count, size, readMs),
          });
        }
      } finally {
        await load.stop();
      }
      const check = await sdk.send(new GetObjectCommand({ Bucket: "bench", Key: `${label}/0/0` }));
      if (!Buffer.from((await check.Body?.transformToByteArray()) ?? []).equals(body))
        throw new Error("GetObject did not return the bytes PutObject stored");

      const sdkCount = Math.ceil(count / 2);
      const sdkPutMs = await inFlight(sdkCount, async (i) => {
        await sdk.send(new PutObjectCommand({ Bucket: "bench", Key: `${label}/sdk/${i}`, Body: body }));
      });
      const sdkGetMs = await inFlight(sdkCount, async (i) => {
        const out = await sdk.send(new GetObjectCommand({ Bucket: "bench", Key: `${label}/sdk/${i}` }));
        await out.Body?.transformToByteArray();
      });

      const putRatios = ratios(
        rounds,
        (r) => r.put,
        (r) => r.rawWrite,
      );
      const getRatios = ratios(
        rounds,
        (r) => r.get,
        (r) => r.rawRead,
      );
      const result = {
        concurrency: CONCURRENCY,
        putObject: summary(rounds, (r) => r.put),
        rawWriteFsyncFileAndFolder: summary(rounds, (r) => r.rawWrite),
        rawWriteFsyncFileOnly: summary(rounds, (r) => r.rawWriteFileSyncOnly),
        getObject: summary(rounds, (r) => r.get),
        rawRead: summary(rounds, (r) => r.rawRead),
        putVsRaw: median(putRatios),
        putVsRawRounds: putRatios,
        putVsRawFileSyncOnly: median(
          ratios(
            rounds,
            (r) => r.put,
            (r) => r.rawWriteFileSyncOnly,
          ),
        ),
        getVsRaw: median(getRatios),
        getVsRawRounds: getRatios,
        sdkPutObject: figures(sdkCount, size, sdkPutMs),
        sdkGetObject: figures(sdkCount, size, sdkGetMs),
      };
      results[label] = result;
      const show = (f: Figures) =>
        `${f.mbPerSec} MB/s, ${f.objectsPerSec} objects/s, CPU ${f.cpuMsPerObject} ms/object`;
      printTable(`s3: ${label} objects, ${CONCURRENCY} in flight, median of ${ROUNDS} rounds`, {
        PutObject: show(result.putObject),
        "raw write, fsync file + folder": show(result.rawWriteFsyncFileAndFolder),
        "raw write, fsync file only": show(result.rawWriteFsyncFileOnly),
        "PutObject / raw (per round)": `${result.putVsRaw} (${putRatios.join(", ")}); vs file-only fsync ${result.putVsRawFileSyncOnly}`,
        GetObject: show(result.getObject),
        "raw read": show(result.rawRead),
        "GetObject / raw (per round)": `${result.getVsRaw} (${getRatios.join(", ")})`,
        "SDK PutObject": show(result.sdkPutObject),
        "SDK GetObject": show(result.sdkGetObject),
      });
    }
  } finally {
    sdk.destroy();
    await adapter.close();
    await fx.close();
    rmSync(rawDir, { recursive: true, force: true });
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchS3();
}
