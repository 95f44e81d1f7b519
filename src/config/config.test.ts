import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../test-support/fixtures.js";
import { ConfigError, resolveConfig } from "./config.js";
import { DataDirLockedError, lockDataDir } from "./data-dir-lock.js";

test("flags beat env vars, env vars beat defaults", () => {
  const env = {
    OPENTRAIL_PORT: "7000",
    OPENTRAIL_HOST: "0.0.0.0",
    OPENTRAIL_REGION: "eu-west-1",
    OPENTRAIL_DATA_DIR: "/tmp/x",
  };
  const c = resolveConfig({ port: "7001" }, env);
  assert.equal(c.port, 7001);
  assert.equal(c.host, "0.0.0.0");
  assert.equal(c.region, "eu-west-1");
  assert.equal(c.dataDir, "/tmp/x");
  const d = resolveConfig({}, {});
  assert.deepEqual([d.port, d.host, d.region, d.historyRetentionDays], [4580, "127.0.0.1", "us-east-1", 90]);
});

test("bad values are refused with a message", () => {
  assert.throws(() => resolveConfig({ port: "http" }, {}), ConfigError);
  assert.throws(() => resolveConfig({ region: "mars" }, {}), ConfigError);
  assert.throws(() => resolveConfig({ logLevel: "loud" }, {}), ConfigError);
});

test("a second server on the same data folder is refused; a stale lock is taken over", () => {
  const dir = tempDir();
  try {
    const unlock = lockDataDir(dir.path);
    assert.throws(() => {
      // Pretend another live process holds it: our parent's pid.
      writeFileSync(join(dir.path, "LOCK"), String(process.ppid));
      lockDataDir(dir.path);
    }, DataDirLockedError);
    writeFileSync(join(dir.path, "LOCK"), "999999999");
    const again = lockDataDir(dir.path);
    again();
    assert.equal(existsSync(join(dir.path, "LOCK")), false);
    unlock();
  } finally {
    dir.remove();
  }
});
