import { once } from "node:events";
import { open } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { LookupEventsRequest } from "@aws-sdk/client-cloudtrail";
import type { LookupKind } from "./lookup-samples.js";
import { SigV4JsonClient } from "./sigv4-json-client.js";
import { percentile } from "./stats.js";

/** About one LookupEvents call's record as the log stores it. */
const RECORD_BYTES = 1200;

export interface HttpCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Latency {
  p50: number;
  p99: number;
  /** p99 of the process CPU time per call: what the call costs without preemption by others. */
  cpuP99: number;
}

const ms = (v: number) => Number(v.toFixed(3));

/** p50/p99 in milliseconds of `run` over each input, one call at a time (wall clock and CPU). */
export async function timeCalls<T>(
  inputs: T[],
  run: (input: T) => Promise<unknown> | unknown,
): Promise<Latency> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const input of inputs) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(input);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { p50: ms(percentile(wall, 50)), p99: ms(percentile(wall, 99)), cpuP99: ms(percentile(cpu, 99)) };
}

const CLOUDTRAIL_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";

function client(url: string, creds: HttpCredentials, region: string): SigV4JsonClient {
  return new SigV4JsonClient({
    url,
    credentials: creds,
    region,
    service: "cloudtrail",
    targetPrefix: CLOUDTRAIL_TARGET,
  });
}

const lookupEvents = (c: SigV4JsonClient) => (input: LookupEventsRequest) => c.call("LookupEvents", input);

/**
 * LookupEvents latency through HTTP: each request signed with SigV4 (the SDK's signer) and sent
 * over a kept-alive connection to `url`, one at a time; p50/p99 per lookup kind.
 */
export async function benchHistoryHttp(
  url: string,
  creds: HttpCredentials,
  requests: Map<LookupKind, LookupEventsRequest[]>,
  region = "us-east-1",
): Promise<Record<string, Latency>> {
  const http = client(url, creds, region);
  try {
    const warmup = [...requests.values()].flatMap((r) => r.slice(0, 20));
    await timeCalls(warmup, lookupEvents(http));
    const out: Record<string, Latency> = {};
    for (const [kind, inputs] of requests) out[kind] = await timeCalls(inputs, lookupEvents(http));
    return out;
  } finally {
    http.destroy();
  }
}

/**
 * The same client's calls against a bare node:http server that answers every request with
 * `body` (a real 50-event LookupEvents response): the cost of signing, HTTP and parsing alone.
 * With `durableFile`, the server first appends a record-sized block to that file and
 * fdatasyncs it, as OpenTrail must before answering any call: the floor the disk sets.
 */
export async function bareHttpBaseline(
  body: string,
  calls: number,
  creds: HttpCredentials,
  durableFile?: string,
): Promise<Latency> {
  const bytes = Buffer.from(body);
  const file = durableFile === undefined ? undefined : await open(durableFile, "w");
  const record = Buffer.alloc(RECORD_BYTES, 0x20);
  let at = 0;
  const durable = async () => {
    if (!file) return;
    await file.write(record, 0, record.length, at);
    at += record.length;
    await file.datasync();
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      durable().then(
        () => {
          res.writeHead(200, {
            "content-type": "application/x-amz-json-1.1",
            "content-length": bytes.length,
          });
          res.end(bytes);
        },
        (err: Error) => res.destroy(err),
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const http = client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, creds, "us-east-1");
  try {
    const inputs = Array.from({ length: calls }, () => ({ MaxResults: 50 }));
    await timeCalls(inputs.slice(0, 50), lookupEvents(http));
    return await timeCalls(inputs, lookupEvents(http));
  } finally {
    http.destroy();
    server.closeAllConnections();
    server.close();
    await file?.close();
  }
}
