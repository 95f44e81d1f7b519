/**
 * The audit gateway's cost: DynamoDB GetItem calls to dynalite, once directly and once through
 * OpenTrail (`--upstream dynamodb=...`: SigV4 verification, operation recognition from the
 * model, forwarding, a durable record per call), in alternating rounds of the same run, with
 * the same client (bench/support/closed-loop.ts): each request is signed once and replayed.
 * Throughput with 16 concurrent callers; latency one call at a time. Targets: added p99 <= 2 ms,
 * proxied throughput >= 70% of direct.
 *
 * Two same-run baselines say what any gateway on this machine pays before OpenTrail's own work:
 * a bare node:http proxy (bench/support/bare-proxy.ts: one more hop, kept-alive, streamed,
 * nothing else), and write+fdatasync of a record-sized block on the data folder's disk, which
 * every proxied call waits for (its record is durable before it is answered; group commit
 * shares one fdatasync between concurrent calls). A second OpenTrail with its data folder on
 * tmpfs (/dev/shm, where fdatasync is free) separates the disk from the rest, and OpenTrail's
 * own ListTrails is the floor every call through OpenTrail pays (SigV4, a durable record, the
 * log's consumers) before any forwarding.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { Agent } from "node:http";
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
import {
  closedLoop,
  type JsonApi,
  latencies,
  type SignedRequest,
  send,
  signJson,
} from "./support/closed-loop.js";
import { median, percentile, printTable } from "./support/stats.js";

const TABLE = "bench-table";
const CALLERS = 16;
/** About one gateway record: what each durable append writes. */
const RECORD_BYTES = 1200;
const DYNAMODB: JsonApi = {
  service: "dynamodb",
  targetPrefix: "DynamoDB_20120810",
  contentType: "application/x-amz-json-1.0",
};
const CLOUDTRAIL: JsonApi = {
  service: "cloudtrail",
  targetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
  contentType: "application/x-amz-json-1.1",
};

interface Signed extends SignedRequest {
  port: number;
}

export async function benchGateway(opts: { seconds?: number; rounds?: number; latencyCalls?: number } = {}) {
  // Many short rounds, every target in each: load from elsewhere on the machine then weighs on
  // all of them alike, and each ratio is taken within a round before the median over rounds.
  const seconds = opts.seconds ?? 1.5;
  const rounds = opts.rounds ?? 6;
  const latencyCalls = opts.latencyCalls ?? 1200;
  const dir = mkdtempSync(join(tmpdir(), "opentrail-bench-gateway-"));
  const identities = join(dir, "identities.json");
  writeFileSync(identities, JSON.stringify(IDENTITIES));
  const dynamo = await spawnScript("bench/support/dynalite-server.ts");
  const upstream = `http://127.0.0.1:${dynamo.port}`;
  const bare = await spawnScript("bench/support/bare-proxy.ts", [upstream]);
  const serve = (data: string) =>
    spawnOpenTrail([
      "serve",
      "--port",
      "0",
      "--data",
      data,
      "--identities",
      identities,
      "--log-level",
      "warn",
      "--upstream",
      `dynamodb=${upstream}`,
    ]);
  const ot = await serve(join(dir, "data"));
  const shmDir = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/opentrail-bench-gateway-") : undefined;
  const shm = shmDir ? await serve(join(shmDir, "data")) : undefined;
  try {
    const setup = new Agent();
    await expectOk(
      await sign(dynamo.port, "CreateTable", {
        TableName: TABLE,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
      setup,
    );
    await expectOk(
      await sign(dynamo.port, "PutItem", {
        TableName: TABLE,
        Item: { pk: { S: "k" }, v: { S: "x".repeat(200) } },
      }),
      setup,
    );
    setup.destroy();
    const get = { TableName: TABLE, Key: { pk: { S: "k" } } };
    const targets: Record<string, Signed> = {
      direct: await sign(dynamo.port, "GetItem", get),
      bare: await sign(bare.port, "GetItem", get),
      proxied: await sign(ot.port, "GetItem", get),
    };
    if (shm) targets.tmpfs = await sign(shm.port, "GetItem", get);
    // OpenTrail's own API on the same server: SigV4, a durable record, no upstream. The floor
    // any call through OpenTrail pays, whatever the gateway does.
    targets.floor = await sign(ot.port, "ListTrails", {}, CLOUDTRAIL);
    const rates: Record<string, number[]> = {};
    const lat: Record<string, number[]> = {};
    const syncs: number[] = [];
    // Warm-up: JIT, lazily parsed models and modules, connection pools on every path.
    for (const req of Object.values(targets)) {
      await closedLoop(req.port, req, 1.5, CALLERS);
      await latencies(req.port, req, 200);
    }
    // CPU time each server process spends per call: unlike wall-clock figures, not inflated
    // when other work on the machine takes the cores.
    const cpu: Record<string, { ms: number; calls: number; clientMs: number }> = {};
    for (const name of Object.keys(targets)) {
      rates[name] = [];
      lat[name] = [];
      cpu[name] = { ms: 0, calls: 0, clientMs: 0 };
    }
    const servers: Record<string, BenchProcess | undefined> = {
      direct: dynamo,
      bare,
      proxied: ot,
      tmpfs: shm,
      floor: ot,
    };
    for (let r = 0; r < rounds; r++) {
      for (const [name, req] of Object.entries(targets)) {
        const pid = servers[name]?.proc.pid;
        const before = cpuMs(pid);
        const client = process.cpuUsage();
        const calls = { n: 0 };
        rates[name]?.push(await closedLoop(req.port, req, seconds, CALLERS, calls));
        const used = cpu[name];
        if (used) {
          used.ms += cpuMs(pid) - before;
          used.calls += calls.n;
          const c = process.cpuUsage(client);
          used.clientMs += (c.user + c.system) / 1000;
        }
        lat[name]?.push(...(await latencies(req.port, req, Math.ceil(latencyCalls / rounds))));
      }
      syncs.push(...(await fsyncLatencies(dir, Math.ceil(latencyCalls / rounds / 2))));
    }
    const rate = (name: string) => median(rates[name] ?? []);
    /** Median over rounds of a's calls/s over b's in the same round. */
    const ratio = (a: string, b: string) =>
      median((rates[a] ?? []).map((x, i) => x / (rates[b]?.[i] ?? Number.NaN))).toFixed(2);
    const cpuPerCall = (name: string) => (cpu[name]?.ms ?? Number.NaN) / (cpu[name]?.calls ?? 0);
    const clientPerCall = (name: string) => (cpu[name]?.clientMs ?? Number.NaN) / (cpu[name]?.calls ?? 0);
    const p50 = (name: string) => percentile(lat[name] ?? [], 50);
    const p99 = (name: string) => percentile(lat[name] ?? [], 99);
    const ms = (x: number) => Number(x.toFixed(3));
    const added = (name: string) => `${ms(p50(name) - p50("direct"))} / ${ms(p99(name) - p99("direct"))}`;
    const result: Record<string, unknown> = {
      "direct GetItem calls/s (median, 16 callers)": Math.round(rate("direct")),
      "through OpenTrail calls/s (median, 16 callers)": Math.round(rate("proxied")),
      "proxied / direct throughput (median of same-round ratios)": Number(ratio("proxied", "direct")),
      "direct latency p50 / p99 ms": `${ms(p50("direct"))} / ${ms(p99("direct"))}`,
      "proxied latency p50 / p99 ms": `${ms(p50("proxied"))} / ${ms(p99("proxied"))}`,
      "added latency p50 / p99 ms": added("proxied"),
      "bare node:http proxy: calls/s, / direct, OpenTrail / bare": `${Math.round(rate("bare"))}, ${ratio("bare", "direct")}, ${ratio("proxied", "bare")}`,
      "bare node:http proxy: added latency p50 / p99 ms": added("bare"),
      "data disk: write+fdatasync p50 / p99 ms": `${ms(percentile(syncs, 50))} / ${ms(percentile(syncs, 99))}`,
    };
    if (shm) {
      result["tmpfs log: calls/s, proxied / direct"] =
        `${Math.round(rate("tmpfs"))}, ${ratio("tmpfs", "direct")}`;
      result["tmpfs log: added latency p50 / p99 ms"] = added("tmpfs");
    }
    result["OpenTrail's own ListTrails calls/s, latency p50 / p99 ms (floor)"] =
      `${Math.round(rate("floor"))}, ${ms(p50("floor"))} / ${ms(p99("floor"))}`;
    result["CPU ms per call: dynalite / bare proxy / OpenTrail proxied / OpenTrail ListTrails"] = [
      "direct",
      "bare",
      "proxied",
      "floor",
    ]
      .map((name) => ms(cpuPerCall(name)))
      .join(" / ");
    // The load driver, dynalite and the proxy share the machine's cores: with every process busy,
    // calls/s is about cores / (CPU per call summed over the processes), so a proxy costing P
    // per call can reach at most (client + dynalite) / (client + dynalite + P) of direct, and
    // 0.70 needs P <= (client + dynalite) * (1 / 0.7 - 1).
    const direct = clientPerCall("direct") + cpuPerCall("direct");
    const bound = (name: string) => (direct / (direct + cpuPerCall(name))).toFixed(2);
    result["CPU ms per call of the load driver (direct / proxied)"] =
      `${ms(clientPerCall("direct"))} / ${ms(clientPerCall("proxied"))}`;
    result["CPU-bound ceiling of proxied / direct: bare proxy, OpenTrail"] =
      `${bound("bare")}, ${bound("proxied")}`;
    result["proxy CPU ms per call that 0.70 of direct allows"] = ms(direct * (1 / 0.7 - 1));
    result.target = "added p99 <= 2 ms, throughput >= 0.70 of direct";
    printTable("Audit gateway (DynamoDB GetItem to dynalite)", result);
    return result;
  } finally {
    for (const s of [ot, shm, bare, dynamo]) await stopProcess(s);
    rmSync(dir, { recursive: true, force: true });
    if (shmDir) rmSync(shmDir, { recursive: true, force: true });
  }
}

async function sign(port: number, op: string, input: unknown, api: JsonApi = DYNAMODB): Promise<Signed> {
  return Object.assign(await signJson(port, api, op, input), { port });
}

async function expectOk(req: Signed, agent: Agent): Promise<void> {
  const status = await send(req.port, req, agent);
  if (status !== 200) throw new Error(`bench set-up call answered ${status}`);
}

/** Milliseconds of `n` appends of a record-sized block, each made durable, one after another. */
async function fsyncLatencies(dir: string, n: number): Promise<number[]> {
  const file = await open(join(dir, "fsync-probe"), "w");
  const block = Buffer.alloc(RECORD_BYTES, 0x61);
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await file.write(block, 0, block.length, i * block.length);
      await file.datasync();
      out.push(performance.now() - t);
    }
  } finally {
    await file.close();
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchGateway();
}
