#!/usr/bin/env node
// Runs every *.test.ts under src/ with node's test runner through tsx.
// Node 20's --test does not expand globs, so the files are found here.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : find(p);
    return e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = find("src")
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  {
    stdio: "inherit",
    env: { ...process.env, OPENTRAIL_LOG_LEVEL: process.env.OPENTRAIL_LOG_LEVEL ?? "silent" },
  },
);
process.exit(r.status ?? 1);
