import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { IDENTITIES } from "../src/test-support/fixtures.js";
import {
  type BenchProcess,
  cpuMs,
  spawnOpenTrail,
  spawnScript,
  stopProcess,
} from "./support/bench-process.js";
import { closedLoop, type JsonApi, signJson } from "./support/closed-loop.js";
import { median, printTable } from "./support/stats.js";

const CLOUDTRAIL: JsonApi = {
  service: "cloudtrail",
  targetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
  contentType: "application/x-amz-json-1.1",
};

/**
 * API calls/s through OpenTrail's edge next to a bare node:http server answering a small JSON
 * body, both in child processes (OpenTrail built, as `npm start` runs it), driven by the same
 * closed-loop client with one signed request replayed, so the client costs the same for both.
 * Two calls: DescribeTrails is the edge itself (SigV4 verification, JSON decoding, dispatch,
 * the self-audit record made durable and indexed); LookupEvents adds a history query (its own
 * targets are the history bench's). Server CPU per call is read from /proc: on a shared machine
 * it moves less than calls/s does.
 */
export async function benchApi(opts: { seconds?: number; concurrency?: number; rounds?: number } = {}) {
  const seconds = opts.seconds ?? 3;
  const concurrency = opts.concurrency ?? 32;
  const rounds = opts.rounds ?? 5;
  const dir = mkdtempSync(join(tmpdir(), "opentrail-bench-api-"));
  const identities = join(dir, "identities.json");
  writeFileSync(identities, JSON.stringify(IDENTITIES));
  let bare: BenchProcess | undefined;
  let ot: BenchProcess | undefined;
  try {
    bare = await spawnScript("bench/support/bare-server.ts");
    ot = await spawnOpenTrail([
      "serve",
      "--port",
      "0",
      "--data",
      join(dir, "data"),
      "--identities",
      identities,
      "--log-level",
      "warn",
    ]);
    const calls = {
      bare: { server: bare, op: "DescribeTrails", body: {} },
      DescribeTrails: { server: ot, op: "DescribeTrails", body: {} },
      LookupEvents: { server: ot, op: "LookupEvents", body: { MaxResults: 1 } },
    };
    const rates: Record<string, number[]> = { bare: [], DescribeTrails: [], LookupEvents: [] };
    const cpu: Record<string, number[]> = { bare: [], DescribeTrails: [], LookupEvents: [] };
    // Round -1 warms both servers up (JIT, caches, the first history pages) and is not counted:
    // a cold first round would otherwise be one of the rounds the median is taken from.
    for (let r = -1; r < rounds; r++) {
      for (const [name, c] of Object.entries(calls)) {
        const req = await signJson(c.server.port, CLOUDTRAIL, c.op, c.body);
        const count = { n: 0 };
        if (r < 0) {
          await closedLoop(c.server.port, req, 1, concurrency, count);
          continue;
        }
        const before = cpuMs(c.server.proc.pid);
        rates[name]?.push(await closedLoop(c.server.port, req, seconds, concurrency, count));
        cpu[name]?.push(((cpuMs(c.server.proc.pid) - before) * 1000) / count.n);
      }
    }
    const rate = (k: string) => median(rates[k] ?? []);
    // Bare and OpenTrail run back to back in each round, so a round's ratio cancels the slow
    // drifts of a shared machine that the ratio of the medians keeps (as the gateway bench does).
    const perRound = (k: string) => (rates.bare ?? []).map((b, i) => b / (rates[k]?.[i] ?? Number.NaN));
    const overhead = (k: string) =>
      `${median(perRound(k)).toFixed(2)} (rounds: ${perRound(k)
        .map((x) => x.toFixed(2))
        .join(", ")})`;
    const us = (k: string) => Math.round(median(cpu[k] ?? []));
    const result = {
      "bare node:http calls/s (median)": Math.round(rate("bare")),
      "OpenTrail DescribeTrails calls/s (median)": Math.round(rate("DescribeTrails")),
      "overhead, DescribeTrails (bare/OpenTrail, median of same-round ratios)": overhead("DescribeTrails"),
      "OpenTrail LookupEvents calls/s (median)": Math.round(rate("LookupEvents")),
      "overhead, LookupEvents (bare/OpenTrail, median of same-round ratios)": overhead("LookupEvents"),
      "server CPU us/call: bare, DescribeTrails, LookupEvents": `${us("bare")}, ${us("DescribeTrails")}, ${us("LookupEvents")}`,
      target: "overhead <= 3x",
    };
    printTable("API edge", result);
    return result;
  } finally {
    await Promise.all([stopProcess(bare), stopProcess(ot)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchApi();
}
