import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { makeFixture, OWNER, startAdapter } from "../src/s3/test-support.js";
import { runInterleaved, type Side } from "./support/interleave.js";
import { readFileInto, startBareS3Server } from "./support/s3-bare-server.js";
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
 * read of the known size, close) into memory reused from read to read, as the store's buffer
 * pool does. The read into a fresh buffer each time (this bench's baseline until 2026-11-28)
 * is printed too: there a 1 MB allocation (page faults) cost several times the read itself,
 * and whether the allocator handed back warm memory made that figure swing 4x between runs.
 * Warm-up: one uncounted round of a quarter size runs first (worker threads, compiled code,
 * spare temp files), every side alike.
 * Order: the disk here behaves like a burst bucket (a raw phase that runs on a rested disk goes
 * about twice as fast as the next one), so whichever side runs first gains. Each round therefore
 * cuts every side into SLICES slices and runs them interleaved, the order of the sides rotating
 * from slice to slice (and starting elsewhere each round): every side runs first, second, ...
 * equally often, and all sides see the same mix of rested and busy disk, and of the garbage
 * collections and writeback the others leave behind. A side's figure for the round
 * is its slices' total; ratios are per round, and the median is reported.
 * Reference: a bare node:http server with the same durability and reads and nothing else (no
 * SigV4, hashing, index or audit record; support/s3-bare-server.ts) runs in the same slices, so
 * the report also shows what moving a body through HTTP and making it durable (or reading it
 * back) costs on this machine at all, which the raw write and read (no socket) do not.
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
/** Slices per round and side (see Order above): as many as the write phase has sides. */
const SLICES = 4;
const SIZES = [
  ["1KB", 1024, 384],
  ["1MB", 1024 * 1024, 96],
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

/** Runs fn(from..to-1) with `CONCURRENCY` calls in flight. */
async function inFlight(
  from: number,
  to: number,
  fn: (i: number, slot: number) => Promise<void>,
): Promise<void> {
  let next = from;
  const worker = async (_: unknown, slot: number) => {
    while (next < to) await fn(next++, slot);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/**
 * Runs operations [0, count) of every side in SLICES slices, interleaved (runInterleaved).
 * Returns each side's total time.
 */
async function interleaved(count: number, round: number, sides: Side[]): Promise<Phase[]> {
  const totals = sides.map(() => ({ ms: 0, cpuMs: 0 }));
  await runInterleaved(count, SLICES, round, sides, async (i, share) => {
    const phase = await timed(share);
    const total = totals[i] as Phase;
    total.ms += phase.ms;
    total.cpuMs += phase.cpuMs;
  });
  return totals;
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

/** Reads a file of known size into `into` (one buffer per operation in flight, as the store's pool). */
interface Round {
  put: Figures;
  get: Figures;
  rawWrite: Figures;
  rawWriteFileSyncOnly: Figures;
  barePut: Figures;
  bareGet: Figures;
  rawRead: Figures;
  rawReadFreshBuffer: Figures;
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
  const bare = await startBareS3Server(join(rawDir, "bare-http"));
  const results: Record<string, unknown> = {};
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: "bench" }));
    for (const [label, size, count] of SIZES) {
      const body = randomBytes(size);
      const load = await S3LoadGenerator.start(adapter.url, CONCURRENCY, body);
      const bareLoad = await S3LoadGenerator.start(bare.url, CONCURRENCY, body);
      const rounds: Round[] = [];
      const readBuffers = Array.from({ length: CONCURRENCY }, () => Buffer.alloc(size));
      try {
        const writes = (dir: string, prefix: string): Side[] => [
          (from, to) => inFlight(from, to, (i) => rawWrite(dir, `${i}`, body, true)),
          (from, to) => load.run({ op: "put", bucket: "bench", prefix, start: from, count: to - from }),
          (from, to) => bareLoad.run({ op: "put", bucket: "bench", prefix, start: from, count: to - from }),
          (from, to) => inFlight(from, to, (i) => rawWrite(dir, `file-sync-only-${i}`, body, false)),
        ];
        const reads = (dir: string, prefix: string): Side[] => [
          (from, to) =>
            inFlight(from, to, (i, slot) => readFileInto(join(dir, `${i}`), readBuffers[slot] as Buffer)),
          (from, to) => load.run({ op: "get", bucket: "bench", prefix, start: from, count: to - from }),
          (from, to) => inFlight(from, to, (i) => readFileInto(join(dir, `${i}`), Buffer.allocUnsafe(size))),
          (from, to) => bareLoad.run({ op: "get", bucket: "bench", prefix, start: from, count: to - from }),
        ];
        // An uncounted warm-up round of a quarter size first: worker threads start, code is
        // compiled, the store opens its spare temp files, for every side alike.
        const warmDir = join(rawDir, `${label}-warm-up`);
        mkdirSync(warmDir);
        const warmCount = Math.ceil(count / 4);
        await interleaved(warmCount, 0, writes(warmDir, `${label}/warm-up/`));
        await interleaved(warmCount, 0, reads(warmDir, `${label}/warm-up/`));
        for (let round = 0; round < ROUNDS; round++) {
          const dir = join(rawDir, `${label}-${round}`);
          mkdirSync(dir);
          const prefix = `${label}/${round}/`;
          const [writeMs, putMs, barePutMs, writeOnlyMs] = await interleaved(
            count,
            round,
            writes(dir, prefix),
          );
          const [readMs, getMs, freshReadMs, bareGetMs] = await interleaved(count, round, reads(dir, prefix));
          rounds.push({
            put: figures(count, size, putMs as Phase),
            get: figures(count, size, getMs as Phase),
            rawWrite: figures(count, size, writeMs as Phase),
            rawWriteFileSyncOnly: figures(count, size, writeOnlyMs as Phase),
            barePut: figures(count, size, barePutMs as Phase),
            bareGet: figures(count, size, bareGetMs as Phase),
            rawRead: figures(count, size, readMs as Phase),
            rawReadFreshBuffer: figures(count, size, freshReadMs as Phase),
          });
        }
      } finally {
        await load.stop();
        await bareLoad.stop();
      }
      const check = await sdk.send(new GetObjectCommand({ Bucket: "bench", Key: `${label}/0/0` }));
      if (!Buffer.from((await check.Body?.transformToByteArray()) ?? []).equals(body))
        throw new Error("GetObject did not return the bytes PutObject stored");

      const sdkCount = Math.ceil(count / 2);
      const sdkPutMs = await timed(() =>
        inFlight(0, sdkCount, async (i) => {
          await sdk.send(new PutObjectCommand({ Bucket: "bench", Key: `${label}/sdk/${i}`, Body: body }));
        }),
      );
      const sdkGetMs = await timed(() =>
        inFlight(0, sdkCount, async (i) => {
          const out = await sdk.send(new GetObjectCommand({ Bucket: "bench", Key: `${label}/sdk/${i}` }));
          await out.Body?.transformToByteArray();
        }),
      );

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
      const bareRatios = ratios(
        rounds,
        (r) => r.put,
        (r) => r.barePut,
      );
      // What a server that does nothing but HTTP and the file reaches of raw: the ceiling
      // node:http leaves for any store on this machine in this run.
      const bareVsRaw = (bareSide: (r: Round) => Figures, raw: (r: Round) => Figures) =>
        median(ratios(rounds, bareSide, raw));
      const bareGetRatios = ratios(
        rounds,
        (r) => r.get,
        (r) => r.bareGet,
      );
      const result = {
        concurrency: CONCURRENCY,
        putObject: summary(rounds, (r) => r.put),
        rawWriteFsyncFileAndFolder: summary(rounds, (r) => r.rawWrite),
        rawWriteFsyncFileOnly: summary(rounds, (r) => r.rawWriteFileSyncOnly),
        bareHttpPut: summary(rounds, (r) => r.barePut),
        putVsBareHttp: median(bareRatios),
        bareHttpPutVsRaw: bareVsRaw(
          (r) => r.barePut,
          (r) => r.rawWrite,
        ),
        bareHttpGet: summary(rounds, (r) => r.bareGet),
        getVsBareHttp: median(bareGetRatios),
        bareHttpGetVsRaw: bareVsRaw(
          (r) => r.bareGet,
          (r) => r.rawRead,
        ),
        getObject: summary(rounds, (r) => r.get),
        rawRead: summary(rounds, (r) => r.rawRead),
        rawReadFreshBuffer: summary(rounds, (r) => r.rawReadFreshBuffer),
        getVsRawFreshBuffer: median(
          ratios(
            rounds,
            (r) => r.get,
            (r) => r.rawReadFreshBuffer,
          ),
        ),
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
      printTable(
        `s3: ${label} objects, ${CONCURRENCY} in flight, median of ${ROUNDS} rounds of ${SLICES} interleaved slices after a warm-up`,
        {
          PutObject: show(result.putObject),
          "raw write, fsync file + folder": show(result.rawWriteFsyncFileAndFolder),
          "raw write, fsync file only": show(result.rawWriteFsyncFileOnly),
          "PutObject / raw (per round)": `${result.putVsRaw} (${putRatios.join(", ")}); vs file-only fsync ${result.putVsRawFileSyncOnly}`,
          "bare node:http PUT, same durability": `${show(result.bareHttpPut)}; ${result.bareHttpPutVsRaw} of raw`,
          "PutObject / bare node:http PUT": `${result.putVsBareHttp} (${bareRatios.join(", ")})`,
          GetObject: show(result.getObject),
          "raw read, reused buffer": show(result.rawRead),
          "raw read, fresh buffer per read": show(result.rawReadFreshBuffer),
          "GetObject / raw (per round)": `${result.getVsRaw} (${getRatios.join(", ")}); vs fresh-buffer read ${result.getVsRawFreshBuffer}`,
          "bare node:http GET, reused buffer": `${show(result.bareHttpGet)}; ${result.bareHttpGetVsRaw} of raw`,
          "GetObject / bare node:http GET": `${result.getVsBareHttp} (${bareGetRatios.join(", ")})`,
          "SDK PutObject": show(result.sdkPutObject),
          "SDK GetObject": show(result.sdkGetObject),
        },
      );
    }
  } finally {
    sdk.destroy();
    await bare.close();
    await adapter.close();
    await fx.close();
    rmSync(rawDir, { recursive: true, force: true });
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchS3();
}
