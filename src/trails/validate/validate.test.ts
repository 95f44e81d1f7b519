import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { digestStringToSign, signString } from "../digest/digest-file.js";
import { keyFingerprint, publicKeyDer } from "../public-keys.js";
import {
  ACCOUNT,
  BUCKET,
  context,
  managementEvent,
  type TrailFixture,
  trailFixture,
} from "../test-support/trail-fixture.js";
import { exitCodeOf, type ValidateLogsError, ValidateLogsOutput, validateLogs } from "./index.js";

const east = context("us-east-1");
const ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/Valid`;
const HOUR = 3600_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe("digests and validate-logs (reference §4)", () => {
  let fx: TrailFixture;
  let offset = 0;
  const now = () => Date.now() + offset;
  const t0 = Date.now();
  const digestKeys = () => fx.buckets.keys(BUCKET).filter((k) => k.includes("CloudTrail-Digest"));
  const logKeys = () => fx.buckets.keys(BUCKET).filter((k) => k.includes("/CloudTrail/"));
  const digestJson = (key: string) =>
    JSON.parse(gunzipSync(fx.buckets.get(BUCKET, key)?.body ?? Buffer.alloc(0)).toString());

  const deliverAndDigest = async (names: string[]) => {
    if (names.length > 0) {
      const seqs = await fx.append(...names.map((eventName) => managementEvent({ eventName })));
      await fx.service.caughtUp(ARN, (seqs.at(-1) as number) + 1);
    }
    offset += HOUR + 1000;
    await fx.service.runDigests();
  };

  const run = async (opts: { start?: Date; verbose?: boolean } = {}): Promise<Run> => {
    let stdout = "";
    let stderr = "";
    const out = new ValidateLogsOutput(
      { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
      opts.verbose ?? true,
    );
    const start = opts.start ?? new Date(t0 - HOUR);
    const end = new Date(now());
    const report = await validateLogs({ trailArn: ARN, startTime: start, endTime: end }, fx.source(), out);
    out.summary(report);
    return { code: exitCodeOf(report), stdout, stderr };
  };

  before(async () => {
    fx = await trailFixture({ clock: () => new Date(now()), keyValiditySeconds: 5400 });
    await fx.service.handlers.CreateTrail(
      { Name: "Valid", S3BucketName: BUCKET, EnableLogFileValidation: true },
      east,
    );
    await fx.service.handlers.StartLogging({ Name: "Valid" }, east);
    await fx.service.runDigests(); // opens the chain
    await deliverAndDigest(["One", "Two"]);
    await deliverAndDigest(["Three"]);
    await deliverAndDigest([]);
  });
  after(async () => {
    await fx.close();
    fx.remove();
  });

  test("digest files: every field, signed, contiguous, first of the chain with null previous*", async () => {
    const keys = digestKeys();
    assert.equal(keys.length, 3);
    const [d1, d2, d3] = keys.map(digestJson);
    for (const k of [
      "previousDigestS3Bucket",
      "previousDigestS3Object",
      "previousDigestHashValue",
      "previousDigestHashAlgorithm",
      "previousDigestSignature",
    ])
      assert.equal(d1[k], null, k);
    assert.equal(d2.digestStartTime, d1.digestEndTime);
    assert.equal(d3.digestStartTime, d2.digestEndTime);
    assert.equal(d2.previousDigestS3Object, keys[0]);
    assert.equal(d2.previousDigestHashAlgorithm, "SHA-256");
    assert.equal(d1.logFiles.length, 1);
    assert.deepEqual(d3.logFiles, []);
    assert.equal(d3.newestEventTime, null);
    assert.equal(d3.oldestEventTime, null);
    const meta = fx.buckets.get(BUCKET, keys[0] as string)?.metadata;
    assert.match(meta?.signature ?? "", /^[0-9a-f]{512}$/);
    assert.equal(meta?.["signature-algorithm"], "SHA256withRSA");
    assert.equal(d2.previousDigestSignature, meta?.signature);
    assert.match(
      keys[0] as string,
      new RegExp(
        `^AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/\\d{4}/\\d\\d/\\d\\d/${ACCOUNT}_CloudTrail-Digest_us-east-1_Valid_us-east-1_\\d{8}T\\d{6}Z\\.json\\.gz$`,
      ),
    );
    const status = await fx.service.handlers.GetTrailStatus({ Name: "Valid" }, east);
    assert.ok(status.LatestDigestDeliveryTime instanceof Date);
  });

  test("untouched logs validate: AWS CLI output, exit 0", async () => {
    const r = await run();
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    const lines = r.stdout.split("\n");
    assert.match(
      lines[0] ?? "",
      new RegExp(`^Validating log files for trail ${ARN} between \\S+Z and \\S+Z$`),
    );
    assert.equal(lines[1], "");
    assert.equal(lines.filter((l) => /^Digest file\ts3:\/\/trail-bucket\/.+\tvalid$/.test(l)).length, 3);
    assert.equal(lines.filter((l) => /^Log file\ts3:\/\/trail-bucket\/.+\tvalid$/.test(l)).length, 2);
    assert.match(
      r.stdout,
      /\n\nResults requested for \S+ to \S+\nResults found for \S+ to \S+:\n\n3\/3 digest files valid\n2\/2 log files valid\n$/,
    );
    const quiet = await run({ verbose: false });
    assert.doesNotMatch(quiet.stdout, /Digest file/);
    assert.match(quiet.stdout, /3\/3 digest files valid\n2\/2 log files valid\n$/);
  });

  test("one byte changed in a log file: INVALID hash, exit 1", async () => {
    const key = logKeys()[0] as string;
    const obj = fx.buckets.get(BUCKET, key);
    assert.ok(obj);
    const original = obj.body;
    const text = gunzipSync(original);
    text[text.indexOf("One")] = "0".charCodeAt(0);
    obj.body = gzipSync(text);
    try {
      const r = await run();
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `\nLog file\ts3://${BUCKET}/${key}\tINVALID: hash value doesn't match\n\n`);
      assert.match(r.stdout, /3\/3 digest files valid\n1\/2 log files valid, 1\/2 log files INVALID\n$/);
    } finally {
      obj.body = original;
    }
  });

  test("a deleted log file: INVALID: not found", async () => {
    const key = logKeys()[1] as string;
    const obj = fx.buckets.get(BUCKET, key);
    fx.buckets.delete(BUCKET, key);
    try {
      const r = await run();
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`Log file\ts3://${BUCKET}/${key.replace(/[.]/g, "\\.")}\tINVALID: not found\n\n$`),
      );
    } finally {
      fx.buckets.buckets.get(BUCKET)?.set(key, obj as NonNullable<typeof obj>);
    }
  });

  test("a deleted digest: INVALID: not found, and the walk goes on to the older digests", async () => {
    const key = digestKeys()[1] as string;
    const obj = fx.buckets.get(BUCKET, key);
    fx.buckets.delete(BUCKET, key);
    try {
      const r = await run();
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`Digest file\ts3://${BUCKET}/${key.replace(/[.]/g, "\\.")}\tINVALID: not found`),
      );
      assert.match(r.stdout, /2\/2 digest files valid|2\/3 digest files valid, 1\/3 digest files INVALID/);
    } finally {
      fx.buckets.buckets.get(BUCKET)?.set(key, obj as NonNullable<typeof obj>);
    }
  });

  test("a forged digest: signature verification failed; signed with another key: public key not found", async () => {
    const key = digestKeys()[2] as string;
    const obj = fx.buckets.get(BUCKET, key);
    assert.ok(obj);
    const original = { body: obj.body, metadata: obj.metadata };
    const forged = digestJson(key);
    forged.logFiles = [
      {
        s3Bucket: BUCKET,
        s3Object: "AWSLogs/forged.json.gz",
        hashValue: "0".repeat(64),
        hashAlgorithm: "SHA-256",
      },
    ];
    obj.body = gzipSync(JSON.stringify(forged));
    try {
      let r = await run();
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`^Digest file\ts3://${BUCKET}/.+\tINVALID: signature verification failed\n\n$`),
      );
      // Re-signed with a key OpenTrail never published.
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      forged.digestPublicKeyFingerprint = keyFingerprint(publicKeyDer(publicKey));
      const body = Buffer.from(JSON.stringify(forged));
      obj.body = gzipSync(body);
      obj.metadata = { ...obj.metadata, signature: signString(digestStringToSign(forged, body), privateKey) };
      r = await run();
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(
          `INVALID: public key not found in region us-east-1 for fingerprint ${forged.digestPublicKeyFingerprint}\n\n$`,
        ),
      );
      // Moved: a valid digest copied under another digest's name.
      const other = digestKeys()[1] as string;
      obj.body = fx.buckets.get(BUCKET, other)?.body as Buffer;
      obj.metadata = { ...(fx.buckets.get(BUCKET, other)?.metadata ?? {}) };
      r = await run();
      assert.match(r.stderr, /INVALID: has been moved from its original location/);
      // No signature metadata.
      obj.body = original.body;
      obj.metadata = {};
      r = await run();
      assert.match(r.stderr, /INVALID: signature verification failed/);
    } finally {
      obj.body = original.body;
      obj.metadata = original.metadata;
    }
    assert.equal((await run()).code, 0);
  });

  test("the chain stays valid across a restart and a key rotation", async () => {
    await fx.close();
    await fx.reopen({ clock: () => new Date(now()), keyValiditySeconds: 5400 });
    await deliverAndDigest(["AfterRestart"]);
    await deliverAndDigest([]);
    const fingerprints = new Set(digestKeys().map((k) => digestJson(k).digestPublicKeyFingerprint));
    assert.ok(fingerprints.size >= 2, "keys rotated (validity 1.5 h, digests hourly)");
    const keys = await fx.service.handlers.ListPublicKeys(
      { StartTime: new Date(t0 - HOUR), EndTime: new Date(now()) },
      east,
    );
    assert.ok((keys.PublicKeyList?.length ?? 0) >= 2);
    const r = await run();
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /5\/5 digest files valid\n3\/3 log files valid\n$/);
  });

  test("StopLogging writes a final digest; StartLogging starts a new chain; the gap is reported, not failed", async () => {
    await fx.service.handlers.StopLogging({ Name: "Valid" }, east);
    await fx.service.runDigests();
    const final = digestKeys().length;
    offset += 3 * HOUR;
    await fx.service.runDigests();
    assert.equal(digestKeys().length, final, "no digests while stopped");
    await fx.service.handlers.StartLogging({ Name: "Valid" }, east);
    await fx.service.runDigests();
    await deliverAndDigest(["Restarted"]);
    const last = digestJson(digestKeys().at(-1) as string);
    assert.equal(last.previousDigestSignature, null, "a new chain starts with null previous*");
    const r = await run();
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^\nNo log files were delivered by CloudTrail between \S+Z and \S+Z\n\n$/);
    assert.match(r.stdout, /7\/7 digest files valid\n4\/4 log files valid\n$/);
  });

  test("files delivered before the first digest tick are in the chain's first digest", async () => {
    const arn = ARN.replace("Valid", "Early");
    await fx.service.handlers.CreateTrail(
      { Name: "Early", S3BucketName: BUCKET, S3KeyPrefix: "early", EnableLogFileValidation: true },
      east,
    );
    await fx.service.handlers.StartLogging({ Name: "Early" }, east);
    const [seq] = await fx.append(managementEvent({ eventName: "EarlyBird" }));
    await fx.service.caughtUp(arn, (seq as number) + 1);
    await fx.service.runDigests(); // opens the chain after the delivery
    offset += HOUR + 1000;
    await fx.service.runDigests();
    const digests = fx.buckets.keys(BUCKET, "early/").filter((k) => k.includes("CloudTrail-Digest"));
    assert.equal(digests.length, 1);
    const first = digestJson(digests[0] as string);
    assert.equal(first.logFiles.length, 1);
    assert.ok(first.logFiles[0].s3Object.startsWith("early/AWSLogs/"));
  });

  test("DeleteTrail ends each chain with a final digest of the files not yet digested", async () => {
    const arn = ARN.replace("Valid", "Gone");
    await fx.service.handlers.CreateTrail(
      { Name: "Gone", S3BucketName: BUCKET, S3KeyPrefix: "gone", EnableLogFileValidation: true },
      east,
    );
    await fx.service.handlers.StartLogging({ Name: "Gone" }, east);
    await fx.service.runDigests(); // opens the chain
    const deliver = async (eventName: string) => {
      const [seq] = await fx.append(managementEvent({ eventName }));
      await fx.service.caughtUp(arn, (seq as number) + 1);
    };
    await deliver("Digested");
    offset += HOUR + 1000;
    await fx.service.runDigests();
    await deliver("Undigested");
    offset += 2000;
    const digests = () => fx.buckets.keys(BUCKET, "gone/").filter((k) => k.includes("CloudTrail-Digest"));
    assert.equal(digests().length, 1);
    await fx.service.handlers.DeleteTrail({ Name: "Gone" }, east);
    assert.equal(digests().length, 2, "a final digest");
    const [first, last] = digests().map(digestJson);
    assert.equal(last.digestStartTime, first.digestEndTime);
    assert.equal(
      last.previousDigestSignature,
      fx.buckets.get(BUCKET, digests()[0] as string)?.metadata?.signature,
    );
    assert.equal(last.logFiles.length, 1);
    const logs = fx.buckets.keys(BUCKET, "gone/").filter((k) => k.includes("/CloudTrail/"));
    assert.equal(logs.length, 2);
    assert.ok(logs.includes(last.logFiles[0].s3Object), "the undigested file");
    assert.ok(!first.logFiles.some((f: { s3Object: string }) => f.s3Object === last.logFiles[0].s3Object));
    offset += HOUR + 1000;
    await fx.service.runDigests();
    assert.equal(digests().length, 2, "nothing after the deletion");
  });

  test("argument and lookup failures end with the CLI's exit codes", async () => {
    const fail = (opts: Parameters<typeof validateLogs>[0]) =>
      validateLogs(opts, fx.source(), new ValidateLogsOutput({ stdout() {}, stderr() {} }, false));
    await assert.rejects(
      fail({ trailArn: "bad", startTime: new Date(0) }),
      (e: ValidateLogsError) => e.exitCode === 252,
    );
    await assert.rejects(
      fail({ trailArn: ARN, startTime: new Date(10), endTime: new Date(0) }),
      (e: ValidateLogsError) => e.exitCode === 252,
    );
    await assert.rejects(
      fail({ trailArn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/Nope`, startTime: new Date(0) }),
      (e: ValidateLogsError) => e.exitCode === 255 && /A trail could not be found for/.test(e.message),
    );
    await assert.rejects(
      fail({ trailArn: ARN, startTime: new Date(now() + 10 * HOUR), endTime: new Date(now() + 11 * HOUR) }),
      (e: ValidateLogsError) => e.exitCode === 255 && /^No public keys found between /.test(e.message),
    );
    await fx.service.handlers.CreateTrail({ Name: "NoDigests", S3BucketName: BUCKET }, east);
    let out = "";
    const output = new ValidateLogsOutput({ stdout: (s) => (out += s), stderr() {} }, true);
    const empty = await validateLogs(
      {
        trailArn: ARN.replace("Valid", "NoDigests"),
        startTime: new Date(t0 - HOUR),
        endTime: new Date(now()),
      },
      fx.source(),
      output,
    );
    output.summary(empty);
    assert.match(
      out,
      /^Validating log files for trail \S+NoDigests between \S+ and \S+\n\nResults requested for \S+ to \S+\nNo digests found\n$/,
    );
    assert.equal(exitCodeOf(empty), 0);
  });
});
