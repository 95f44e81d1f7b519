import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { silentLogger } from "../../config/logger.js";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import { EventLog } from "../../log/index.js";
import { FileBucketStore } from "../test-support/file-bucket-store.js";
import type { MemoryBucketStore } from "../test-support/memory-bucket-store.js";
import {
  ACCOUNT,
  BUCKET,
  context,
  managementEvent,
  type TrailFixture,
  trailFixture,
} from "../test-support/trail-fixture.js";
import { TrailStore } from "../trail-store.js";
import { createTrailsService } from "../trails-service.js";

const east = context("us-east-1");
const LOG_KEY = new RegExp(
  `^AWSLogs/${ACCOUNT}/CloudTrail/(us-east-1|us-west-2)/\\d{4}/\\d{2}/\\d{2}/${ACCOUNT}_CloudTrail_\\1_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`,
);

function logFiles(
  buckets: MemoryBucketStore,
  bucket = BUCKET,
): Array<{ key: string; records: CloudTrailEvent[] }> {
  return buckets
    .keys(bucket)
    .filter((k) => k.includes("/CloudTrail/"))
    .map((key) => {
      const obj = buckets.get(bucket, key);
      return {
        key,
        records: JSON.parse(gunzipSync(obj?.body ?? Buffer.alloc(0)).toString()).Records as CloudTrailEvent[],
      };
    });
}

const deliveredNames = (buckets: MemoryBucketStore) =>
  logFiles(buckets).flatMap((f) => f.records.map((r) => r.eventName));

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("log file delivery (reference §3)", () => {
  let fx: TrailFixture;
  const arn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/Deliver`;
  before(async () => {
    fx = await trailFixture();
    await fx.service.handlers.CreateTrail({ Name: "Deliver", S3BucketName: BUCKET }, east);
  });
  after(async () => {
    await fx.close();
    fx.remove();
  });

  test("nothing is delivered before StartLogging", async () => {
    const [seq] = await fx.append(managementEvent({ eventName: "BeforeStart" }));
    await fx.service.caughtUp(arn, (seq as number) + 1);
    assert.deepEqual(logFiles(fx.buckets), []);
  });

  test("events appear within the interval at CloudTrail's key, as one gzip member of {Records}", async () => {
    await fx.service.handlers.StartLogging({ Name: "Deliver" }, east);
    const started = Date.now();
    const seqs = await fx.append(
      managementEvent({ eventName: "A1" }),
      managementEvent({ eventName: "Other", recipientAccountId: "210987654321" }),
      managementEvent({ eventName: "West", awsRegion: "us-west-2" }),
      managementEvent({ eventName: "A2" }),
    );
    await fx.service.caughtUp(arn, (seqs.at(-1) as number) + 1);
    const files = await waitFor("a log file", () => logFiles(fx.buckets).length > 0 && logFiles(fx.buckets));
    assert.ok(Date.now() - started < 2000);
    assert.equal(files.length, 1);
    const [file] = files as [{ key: string; records: CloudTrailEvent[] }];
    assert.match(file.key, LOG_KEY);
    assert.deepEqual(
      file.records.map((r) => r.eventName),
      ["A1", "A2"],
      "other account and other Region left out",
    );
    const obj = fx.buckets.get(BUCKET, file.key);
    assert.equal(obj?.contentType, "application/json");
    assert.equal(obj?.contentEncoding, "gzip");
    const status = await fx.service.handlers.GetTrailStatus({ Name: "Deliver" }, east);
    assert.ok(status.LatestDeliveryTime instanceof Date);
    assert.equal(status.LatestDeliveryError, undefined);
  });

  test("StopLogging stops selection at once; events recorded while stopped are never delivered", async () => {
    await fx.append(managementEvent({ eventName: "B1" }));
    await fx.service.handlers.StopLogging({ Name: "Deliver" }, east);
    await fx.append(managementEvent({ eventName: "WhileStopped" }));
    await fx.service.handlers.StartLogging({ Name: "Deliver" }, east);
    const [last] = await fx.append(managementEvent({ eventName: "B2" }));
    await fx.service.caughtUp(arn, (last as number) + 1);
    const names = deliveredNames(fx.buckets);
    assert.ok(names.includes("B1") && names.includes("B2"));
    assert.ok(!names.includes("WhileStopped"));
    assert.ok(!names.includes("BeforeStart"));
  });

  test("a store outage sets LatestDeliveryError; the backlog is delivered once it heals, nothing lost or doubled", async () => {
    fx.buckets.failWith = Object.assign(new Error("We encountered an internal error."), {
      code: "InternalError",
    });
    const seqs = await fx.append(
      ...Array.from({ length: 30 }, (_, i) => managementEvent({ eventName: `Outage${i}` })),
    );
    const errored = (await pollStatus(fx, (st) => st.LatestDeliveryError !== undefined)).LatestDeliveryError;
    assert.equal(errored, "InternalError");
    fx.buckets.failWith = undefined;
    await fx.service.caughtUp(arn, (seqs.at(-1) as number) + 1);
    const names = deliveredNames(fx.buckets).filter((n) => n?.startsWith("Outage"));
    assert.equal(names.length, 30);
    assert.equal(new Set(names).size, 30);
    assert.equal(
      (await fx.service.handlers.GetTrailStatus({ Name: "Deliver" }, east)).LatestDeliveryError,
      undefined,
    );
  });

  test("bucket gone and bucket policy withdrawn are delivery errors too", async () => {
    fx.buckets.deleteBucket(BUCKET);
    const [a] = await fx.append(managementEvent({ eventName: "NoBucket" }));
    assert.equal(
      (await pollStatus(fx, (st) => st.LatestDeliveryError === "NoSuchBucket")).LatestDeliveryError,
      "NoSuchBucket",
    );
    fx.buckets.createBucket(BUCKET);
    await fx.service.caughtUp(arn, (a as number) + 1);
    fx.policyAllows.value = false;
    const [b] = await fx.append(managementEvent({ eventName: "Denied" }));
    assert.equal(
      (await pollStatus(fx, (st) => st.LatestDeliveryError === "AccessDenied")).LatestDeliveryError,
      "AccessDenied",
    );
    fx.policyAllows.value = true;
    await fx.service.caughtUp(arn, (b as number) + 1);
    assert.ok(deliveredNames(fx.buckets).includes("Denied"));
    assert.ok(deliveredNames(fx.buckets).includes("NoBucket"));
  });

  test("a crash between the put and the checkpoint replays the same key with the same bytes", async () => {
    const original = TrailStore.prototype.commitDelivery;
    let crashed = false;
    TrailStore.prototype.commitDelivery = () => {
      crashed = true;
      throw new Error("simulated crash before the checkpoint");
    };
    const before = new Set(fx.buckets.keys(BUCKET));
    const seqs = await fx.append(
      managementEvent({ eventName: "Crash1" }),
      managementEvent({ eventName: "Crash2" }),
    );
    try {
      await waitFor(
        "the put before the crash",
        () => crashed && fx.buckets.keys(BUCKET).some((k) => !before.has(k)),
      );
      await fx.close();
    } finally {
      TrailStore.prototype.commitDelivery = original;
    }
    const written = fx.buckets.keys(BUCKET).filter((k) => !before.has(k));
    assert.equal(written.length, 1);
    const bytes = fx.buckets.get(BUCKET, written[0] as string)?.body;
    const puts = fx.buckets.puts;
    await fx.reopen();
    await fx.service.caughtUp(arn, (seqs.at(-1) as number) + 1);
    assert.ok(fx.buckets.puts > puts, "the batch was written again");
    assert.deepEqual(
      fx.buckets.keys(BUCKET).filter((k) => !before.has(k)),
      written,
      "same key, no second file",
    );
    assert.deepEqual(fx.buckets.get(BUCKET, written[0] as string)?.body, bytes, "same bytes");
    const names = deliveredNames(fx.buckets);
    assert.equal(names.filter((n) => n === "Crash1").length, 1);
    assert.equal(names.filter((n) => n === "Crash2").length, 1);
  });

  test("a multi-Region trail writes each Region's folder", async () => {
    await fx.service.handlers.CreateTrail(
      { Name: "Multi", S3BucketName: BUCKET, S3KeyPrefix: "mr", IsMultiRegionTrail: true },
      east,
    );
    await fx.service.handlers.StartLogging({ Name: "Multi" }, east);
    const seqs = await fx.append(
      managementEvent({ eventName: "M-east" }),
      managementEvent({ eventName: "M-west", awsRegion: "us-west-2" }),
      managementEvent({ eventName: "M-iam", eventSource: "iam.amazonaws.com" }),
    );
    await fx.service.caughtUp(
      `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/Multi`,
      (seqs.at(-1) as number) + 1,
    );
    const keys = fx.buckets.keys(BUCKET, "mr/");
    assert.equal(keys.length, 2);
    assert.ok(keys.some((k) => k.startsWith(`mr/AWSLogs/${ACCOUNT}/CloudTrail/us-west-2/`)));
    assert.ok(keys.some((k) => k.startsWith(`mr/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/`)));
  });
});

async function pollStatus(fx: TrailFixture, ok: (s: { LatestDeliveryError?: string }) => boolean) {
  const until = Date.now() + 5000;
  for (;;) {
    const s = await fx.service.handlers.GetTrailStatus({ Name: "Deliver" }, east);
    if (ok(s) || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("exactly once across kill -9", () => {
  test("a child killed right after its first put: after restart every event is in exactly one file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opentrail-kill9-"));
    try {
      const child = fileURLToPath(new URL("../test-support/delivery-child.ts", import.meta.url));
      const run = spawnSync(process.execPath, ["--import", "tsx", child, dir, "500"], {
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(run.signal, "SIGKILL", `child should die by SIGKILL: ${run.stderr}`);
      const store = new FileBucketStore(join(dir, "s3"));
      const before = store.keys(BUCKET).filter((k) => k.includes("/CloudTrail/"));
      assert.equal(before.length, 1, "one file written before the kill");
      const firstBytes = store.read(BUCKET, before[0] as string);
      const log = await EventLog.open({ dir: join(dir, "log") });
      const service = createTrailsService({
        dataDir: dir,
        regions: ["us-east-1"],
        store,
        checkBucketPolicy: () => true,
        deliveryIntervalSeconds: 0.1,
        digestIntervalSeconds: 3600,
        logger: silentLogger,
      });
      service.start(log);
      await service.caughtUp(`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/Crashy`, log.endSeq);
      await service.stop();
      await log.close();
      const keys = store.keys(BUCKET).filter((k) => k.includes("/CloudTrail/"));
      assert.ok(keys.includes(before[0] as string));
      assert.deepEqual(
        store.read(BUCKET, before[0] as string),
        firstBytes,
        "the replay rewrote identical bytes",
      );
      const names = keys.flatMap((k) =>
        (JSON.parse(gunzipSync(store.read(BUCKET, k)).toString()).Records as CloudTrailEvent[]).map(
          (r) => r.eventName,
        ),
      );
      assert.equal(names.length, 500);
      assert.equal(new Set(names).size, 500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
