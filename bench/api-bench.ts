import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { ADMIN, IDENTITIES } from "../src/test-support/fixtures.js";
import { median, printTable } from "./support/stats.js";

const REPO = new URL("../", import.meta.url).pathname;
const TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

/**
 * API calls/s through OpenTrail's edge (SigV4 verification, JSON decoding, a LookupEvents,
 * the self-audit record made durable) next to a bare node:http server answering the same bytes,
 * both in child processes, driven by the same closed-loop client. The request is signed once
 * and replayed, so the client's cost is identical for both.
 */
export async function benchApi(opts: { seconds?: number; concurrency?: number; rounds?: number } = {}) {
  const seconds = opts.seconds ?? 3;
  const concurrency = opts.concurrency ?? 32;
  const rounds = opts.rounds ?? 3;
  const dir = mkdtempSync(join(tmpdir(), "opentrail-bench-api-"));
  const identities = join(dir, "identities.json");
  writeFileSync(identities, JSON.stringify(IDENTITIES));
  const bare = await spawnServer([join(REPO, "bench/support/bare-server.ts")]);
  const ot = await spawnServer([
    join(REPO, "src/cli/main.ts"),
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
  try {
    const baseline: number[] = [];
    const opentrail: number[] = [];
    for (let r = 0; r < rounds; r++) {
      baseline.push(await load(bare.port, await signedLookup(bare.port), seconds, concurrency));
      opentrail.push(await load(ot.port, await signedLookup(ot.port), seconds, concurrency));
    }
    const b = median(baseline);
    const o = median(opentrail);
    const result = {
      "bare node:http calls/s (median)": Math.round(b),
      "OpenTrail LookupEvents calls/s (median)": Math.round(o),
      "overhead (bare/OpenTrail)": Number((b / o).toFixed(2)),
      target: "overhead <= 3x",
    };
    printTable("API edge", result);
    return result;
  } finally {
    bare.proc.kill("SIGKILL");
    ot.proc.kill("SIGTERM");
    await new Promise((r) => ot.proc.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function signedLookup(port: number) {
  const body = JSON.stringify({ MaxResults: 1 });
  const signer = new SignatureV4({
    credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey },
    region: "us-east-1",
    service: "cloudtrail",
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
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": TARGET,
      },
      body,
    }),
  );
  return { headers: signed.headers as Record<string, string>, body };
}

async function load(
  port: number,
  req: { headers: Record<string, string>; body: string },
  seconds: number,
  concurrency: number,
) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const end = Date.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const r = request(
        { port, host: "127.0.0.1", method: "POST", path: "/", headers: req.headers, agent },
        (res) => {
          if (res.statusCode !== 200) failed++;
          res.resume();
          res.on("end", () => resolve());
        },
      );
      r.on("error", () => {
        failed++;
        resolve();
      });
      r.end(req.body);
    });
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await one();
        done++;
      }
    }),
  );
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} of ${done} bench calls failed`);
  return (done / (Date.now() - start)) * 1000;
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
  await benchApi();
}
