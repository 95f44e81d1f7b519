/**
 * The audit gateway's cost: DynamoDB GetItem calls to dynalite, once directly and once through
 * OpenTrail (`--upstream dynamodb=...`: SigV4 verification, operation recognition from the
 * model, forwarding, a durable record per call), in alternating rounds of the same run. Each
 * request is signed once and replayed, so the client costs the same either way. Throughput with
 * 16 concurrent callers; latency one call at a time. Targets: added p99 <= 2 ms, proxied
 * throughput >= 70% of direct.
 *
 * Every proxied call waits for its record's fdatasync (group commit), so on a busy disk the
 * figures are mostly the disk's. A second OpenTrail with its data folder on tmpfs (/dev/shm,
 * where fdatasync is free) is measured in the same rounds to separate the gateway's own cost,
 * and so is OpenTrail's own ListTrails: the floor every call through OpenTrail pays (SigV4, a
 * durable record, the log's consumers) before any forwarding.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { ADMIN, IDENTITIES } from "../src/test-support/fixtures.js";
import { median, percentile, printTable } from "./support/stats.js";

const REPO = new URL("../", import.meta.url).pathname;
const TABLE = "bench-table";
const DYNAMODB = {
  service: "dynamodb",
  targetPrefix: "DynamoDB_20120810",
  contentType: "application/x-amz-json-1.0",
};
const CLOUDTRAIL = {
  service: "cloudtrail",
  targetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
  contentType: "application/x-amz-json-1.1",
};

interface Signed {
  port: number;
  headers: Record<string, string>;
  body: string;
}

export async function benchGateway(opts: { seconds?: number; rounds?: number; latencyCalls?: number } = {}) {
  const seconds = opts.seconds ?? 3;
  const rounds = opts.rounds ?? 2;
  const latencyCalls = opts.latencyCalls ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), "opentrail-bench-gateway-"));
  const identities = join(dir, "identities.json");
  writeFileSync(identities, JSON.stringify(IDENTITIES));
  const dynamo = await spawnServer([join(REPO, "bench/support/dynalite-server.ts")]);
  const serve = (data: string) =>
    spawnServer([
      join(REPO, "src/cli/main.ts"),
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
      `dynamodb=http://127.0.0.1:${dynamo.port}`,
    ]);
  const ot = await serve(join(dir, "data"));
  const shmDir = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/opentrail-bench-gateway-") : undefined;
  const shm = shmDir ? await serve(join(shmDir, "data")) : undefined;
  try {
    await call(
      await sign(dynamo.port, "CreateTable", {
        TableName: TABLE,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
      new Agent(),
    );
    await call(
      await sign(dynamo.port, "PutItem", {
        TableName: TABLE,
        Item: { pk: { S: "k" }, v: { S: "x".repeat(200) } },
      }),
      new Agent(),
    );
    const get = { TableName: TABLE, Key: { pk: { S: "k" } } };
    const direct = await sign(dynamo.port, "GetItem", get);
    const targets: Record<string, Signed> = { direct, proxied: await sign(ot.port, "GetItem", get) };
    if (shm) targets.tmpfs = await sign(shm.port, "GetItem", get);
    // OpenTrail's own API on the same server: SigV4, a durable record, no upstream. The floor
    // any call through OpenTrail pays, whatever the gateway does.
    targets.floor = await sign(ot.port, "ListTrails", {}, CLOUDTRAIL);
    const rates: Record<string, number[]> = {};
    const lat: Record<string, number[]> = {};
    // Warm-up: JIT, lazily parsed models and modules, connection pools on every path.
    for (const req of Object.values(targets)) {
      await throughput(req, 1.5, 16);
      await latencies(req, 200);
    }
    // CPU seconds OpenTrail's process spends per call: unlike wall-clock figures, not inflated
    // when other work on the machine takes the cores.
    const cpuPerCall: Record<string, number> = {};
    const server = (name: string) => (name === "tmpfs" ? shm : name === "direct" ? dynamo : ot);
    for (let r = 0; r < rounds; r++) {
      for (const [name, req] of Object.entries(targets)) {
        const pid = server(name)?.proc.pid ?? 0;
        const before = cpuMs(pid);
        const calls = { n: 0 };
        rates[name] = [...(rates[name] ?? []), await throughput(req, seconds, 16, calls)];
        cpuPerCall[name] = (cpuPerCall[name] ?? 0) + (cpuMs(pid) - before) / calls.n / rounds;
        lat[name] = [...(lat[name] ?? []), ...(await latencies(req, latencyCalls))];
      }
    }
    const rate = (name: string) => median(rates[name] ?? []);
    const p50 = (name: string) => percentile(lat[name] ?? [], 50);
    const p99 = (name: string) => percentile(lat[name] ?? [], 99);
    const ms = (x: number) => Number(x.toFixed(3));
    const result: Record<string, unknown> = {
      "direct GetItem calls/s (median, 16 callers)": Math.round(rate("direct")),
      "through OpenTrail calls/s (median, 16 callers)": Math.round(rate("proxied")),
      "proxied / direct throughput": Number((rate("proxied") / rate("direct")).toFixed(2)),
      "direct latency p50 / p99 ms": `${ms(p50("direct"))} / ${ms(p99("direct"))}`,
      "proxied latency p50 / p99 ms": `${ms(p50("proxied"))} / ${ms(p99("proxied"))}`,
      "added latency p50 / p99 ms": `${ms(p50("proxied") - p50("direct"))} / ${ms(p99("proxied") - p99("direct"))}`,
    };
    if (shm) {
      result["tmpfs log: calls/s, proxied / direct"] =
        `${Math.round(rate("tmpfs"))}, ${(rate("tmpfs") / rate("direct")).toFixed(2)}`;
      result["tmpfs log: added latency p50 / p99 ms"] =
        `${ms(p50("tmpfs") - p50("direct"))} / ${ms(p99("tmpfs") - p99("direct"))}`;
    }
    result["OpenTrail's own ListTrails calls/s, latency p50 / p99 ms (floor)"] =
      `${Math.round(rate("floor"))}, ${ms(p50("floor"))} / ${ms(p99("floor"))}`;
    result["CPU ms per call: dynalite direct / OpenTrail proxied / OpenTrail ListTrails"] = [
      cpuPerCall.direct,
      cpuPerCall.proxied,
      cpuPerCall.floor,
    ]
      .map((x) => ms(x ?? Number.NaN))
      .join(" / ");
    result.target = "added p99 <= 2 ms, throughput >= 0.70 of direct";
    printTable("Audit gateway (DynamoDB GetItem to dynalite)", result);
    return result;
  } finally {
    dynamo.proc.kill("SIGKILL");
    for (const s of [ot, shm]) {
      if (!s) continue;
      s.proc.kill("SIGTERM");
      await new Promise((r) => s.proc.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
    if (shmDir) rmSync(shmDir, { recursive: true, force: true });
  }
}

async function sign(port: number, op: string, input: unknown, api = DYNAMODB): Promise<Signed> {
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    credentials: ADMIN,
    region: "us-east-1",
    service: api.service,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port,
      path: "/",
      headers: {
        host: `127.0.0.1:${port}`,
        "content-type": api.contentType,
        "x-amz-target": `${api.targetPrefix}.${op}`,
      },
      body,
    }),
  );
  return { port, headers: signed.headers as Record<string, string>, body };
}

function call(req: Signed, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = request(
      { port: req.port, host: "127.0.0.1", method: "POST", path: "/", headers: req.headers, agent },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}

/** User+system CPU time of a process so far, from /proc (Linux; NaN elsewhere). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return Number.NaN;
  }
}

async function throughput(
  req: Signed,
  seconds: number,
  concurrency: number,
  count: { n: number } = { n: 0 },
): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await call(req, agent);
        done++;
        count.n++;
      }
    }),
  );
  agent.destroy();
  return (done / (Date.now() - start)) * 1000;
}

async function latencies(req: Signed, n: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call(req, agent);
    out.push(performance.now() - t);
  }
  agent.destroy();
  return out;
}

async function spawnServer(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d) => {
      out += d;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m?.[1]) resolve(Number(m[1]));
    });
    proc.once("exit", (code) => reject(new Error(`bench server exited ${code}`)));
  });
  return { proc, port };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchGateway();
}
