import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { makeFixture, OWNER, startAdapter } from "../src/s3/test-support.js";

/**
 * PutObject / GetObject throughput of the built-in store through its HTTP handling path
 * (adapter server + @aws-sdk/client-s3 with keep-alive, default checksums), next to raw file
 * write+fsync / read of the same bytes in the same run. Target: >= 50% of raw for 1 MB objects.
 */
interface Figures {
  mbPerSec: number;
  objectsPerSec: number;
}

function figures(count: number, size: number, ms: number): Figures {
  const seconds = ms / 1000;
  return {
    mbPerSec: +((count * size) / 1e6 / seconds).toFixed(1),
    objectsPerSec: +(count / seconds).toFixed(1),
  };
}

async function timed(count: number, fn: (i: number) => Promise<void>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await fn(i);
  return performance.now() - start;
}

async function rawBaseline(dir: string, body: Buffer, count: number) {
  const write = await timed(count, async (i) => {
    const fh = await open(join(dir, `raw-${i}`), "w");
    await fh.writeFile(body);
    await fh.sync();
    await fh.close();
  });
  const read = await timed(count, async (i) => {
    await readFile(join(dir, `raw-${i}`));
  });
  return { write: figures(count, body.length, write), read: figures(count, body.length, read) };
}

export async function benchS3(): Promise<Record<string, unknown>> {
  const fx = makeFixture();
  const adapter = await startAdapter(fx.service, () => OWNER);
  const s3 = new S3Client({
    endpoint: adapter.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
  const rawDir = mkdtempSync(join(tmpdir(), "opentrail-raw-"));
  const results: Record<string, unknown> = {};
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "bench" }));
    for (const [label, size, count] of [
      ["1KB", 1024, 300],
      ["1MB", 1024 * 1024, 60],
    ] as const) {
      const body = randomBytes(size);
      const put = await timed(count, async (i) => {
        await s3.send(new PutObjectCommand({ Bucket: "bench", Key: `${label}/${i}`, Body: body }));
      });
      const get = await timed(count, async (i) => {
        const out = await s3.send(new GetObjectCommand({ Bucket: "bench", Key: `${label}/${i}` }));
        await out.Body?.transformToByteArray();
      });
      const raw = await rawBaseline(rawDir, body, count);
      const s3Put = figures(count, size, put);
      const s3Get = figures(count, size, get);
      results[label] = {
        putObject: s3Put,
        getObject: s3Get,
        rawWriteFsync: raw.write,
        rawRead: raw.read,
        putVsRaw: +(s3Put.mbPerSec / raw.write.mbPerSec).toFixed(2),
        getVsRaw: +(s3Get.mbPerSec / raw.read.mbPerSec).toFixed(2),
      };
    }
  } finally {
    s3.destroy();
    await adapter.close();
    await fx.close();
    rmSync(rawDir, { recursive: true, force: true });
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchS3();
  console.log(JSON.stringify(results, null, 2));
}
