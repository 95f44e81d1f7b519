import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type Fixture, makeFixture, OWNER, startAdapter } from "./test-support.js";

const run = promisify(execFile);

/** The AWS CLI (v1, botocore) against handle(): `aws s3` high-level commands and a few `s3api` calls. */
describe("AWS CLI against the built-in store", () => {
  let fx: Fixture;
  let adapter: Awaited<ReturnType<typeof startAdapter>>;
  let env: NodeJS.ProcessEnv;

  async function aws(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const r = await run("aws", args, { env, timeout: 60_000, maxBuffer: 1 << 24 });
      return { ...r, code: 0 };
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; code?: number };
      return { stdout: err.stdout ?? "", stderr: err.stderr ?? "", code: err.code ?? 1 };
    }
  }

  before(async () => {
    fx = makeFixture();
    adapter = await startAdapter(fx.service, () => OWNER);
    const config = join(fx.dir, "aws-config");
    writeFileSync(config, "[default]\nregion = us-east-1\n");
    env = {
      PATH: process.env.PATH,
      HOME: fx.dir,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(fx.dir, "none"),
      AWS_ENDPOINT_URL: adapter.url,
      AWS_ACCESS_KEY_ID: "x",
      AWS_SECRET_ACCESS_KEY: "y",
      AWS_DEFAULT_REGION: "us-east-1",
    };
  });
  after(async () => {
    await adapter?.close();
    await fx?.close();
  });

  it("mb, cp up and down (10 MB multipart, byte-exact), ls --recursive", async () => {
    assert.equal((await aws("s3", "mb", "s3://cli-bucket")).code, 0);
    const small = join(fx.dir, "small.txt");
    const big = join(fx.dir, "big.bin");
    writeFileSync(small, "hello cli\n");
    writeFileSync(big, randomBytes(10 * 1024 * 1024));
    for (const [file, key] of [
      [small, "docs/small.txt"],
      [big, "data/big.bin"],
    ] as const) {
      const up = await aws("s3", "cp", file, `s3://cli-bucket/${key}`);
      assert.equal(up.code, 0, up.stderr);
      const back = join(fx.dir, `${key.replace("/", "_")}.back`);
      const down = await aws("s3", "cp", `s3://cli-bucket/${key}`, back);
      assert.equal(down.code, 0, down.stderr);
      assert.ok(readFileSync(back).equals(readFileSync(file)), `${key} round trip`);
    }
    assert.ok(fx.sink.named("UploadPart").length >= 2, "the 10 MB file went up in parts");
    assert.equal(fx.sink.named("CompleteMultipartUpload").length, 1);
    const ls = await aws("s3", "ls", "--recursive", "s3://cli-bucket");
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /10485760 data\/big\.bin/);
    assert.match(ls.stdout, /10 docs\/small\.txt/);
  });

  it("s3api put-bucket-policy accepts a valid policy and rejects a bad one", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:GetBucketAcl",
          Resource: "arn:aws:s3:::cli-bucket",
        },
      ],
    });
    const ok = await aws("s3api", "put-bucket-policy", "--bucket", "cli-bucket", "--policy", policy);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = await aws("s3api", "put-bucket-policy", "--bucket", "cli-bucket", "--policy", "{not json");
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /MalformedPolicy/);
    const got = await aws("s3api", "get-bucket-policy", "--bucket", "cli-bucket");
    assert.equal(JSON.parse(JSON.parse(got.stdout).Policy).Statement[0].Action, "s3:GetBucketAcl");
  });

  it("object lock: a COMPLIANCE-locked version survives delete-object by its own admin", async () => {
    const mk = await aws(
      "s3api",
      "create-bucket",
      "--bucket",
      "cli-locked",
      "--object-lock-enabled-for-bucket",
    );
    assert.equal(mk.code, 0, mk.stderr);
    const conf = JSON.stringify({
      ObjectLockEnabled: "Enabled",
      Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 1 } },
    });
    const lock = await aws(
      "s3api",
      "put-object-lock-configuration",
      "--bucket",
      "cli-locked",
      "--object-lock-configuration",
      conf,
    );
    assert.equal(lock.code, 0, lock.stderr);
    const body = join(fx.dir, "log.json.gz");
    writeFileSync(body, "log");
    const put = await aws(
      "s3api",
      "put-object",
      "--bucket",
      "cli-locked",
      "--key",
      "AWSLogs/log.json.gz",
      "--body",
      body,
    );
    assert.equal(put.code, 0, put.stderr);
    const versionId = JSON.parse(put.stdout).VersionId as string;
    const del = await aws(
      "s3api",
      "delete-object",
      "--bucket",
      "cli-locked",
      "--key",
      "AWSLogs/log.json.gz",
      "--version-id",
      versionId,
    );
    assert.notEqual(del.code, 0);
    assert.match(del.stderr, /AccessDenied/);
    const bypass = await aws(
      "s3api",
      "delete-object",
      "--bucket",
      "cli-locked",
      "--key",
      "AWSLogs/log.json.gz",
      "--version-id",
      versionId,
      "--bypass-governance-retention",
    );
    assert.match(bypass.stderr, /AccessDenied/);
    const still = await aws(
      "s3api",
      "head-object",
      "--bucket",
      "cli-locked",
      "--key",
      "AWSLogs/log.json.gz",
      "--version-id",
      versionId,
    );
    assert.equal(still.code, 0, still.stderr);
    assert.equal(JSON.parse(still.stdout).ObjectLockMode, "COMPLIANCE");
    const denied = fx.sink.named("DeleteObject").filter((e) => e.errorCode === "AccessDenied");
    assert.equal(denied.length, 2);
    assert.equal(denied[0]?.errorMessage, "Access Denied");
  });
});
