import { once } from "node:events";
import { Agent, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudTrailClient, LookupEventsCommand, type LookupEventsRequest } from "@aws-sdk/client-cloudtrail";
import type { LookupKind } from "./lookup-samples.js";
import { percentile } from "./stats.js";

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

function client(url: string, creds: HttpCredentials, region: string): CloudTrailClient {
  return new CloudTrailClient({
    endpoint: url,
    region,
    credentials: creds,
    maxAttempts: 1,
    // One kept-alive connection: latency, not throughput.
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) },
  });
}

/**
 * LookupEvents latency through HTTP: each request signed with SigV4 by the official SDK and sent
 * over a kept-alive connection to `url`, one at a time; p50/p99 per lookup kind.
 */
export async function benchHistoryHttp(
  url: string,
  creds: HttpCredentials,
  requests: Map<LookupKind, LookupEventsRequest[]>,
  region = "us-east-1",
): Promise<Record<string, Latency>> {
  const sdk = client(url, creds, region);
  try {
    const warmup = [...requests.values()].flatMap((r) => r.slice(0, 20));
    await timeCalls(warmup, (input) => sdk.send(new LookupEventsCommand(input)));
    const out: Record<string, Latency> = {};
    for (const [kind, inputs] of requests)
      out[kind] = await timeCalls(inputs, (input) => sdk.send(new LookupEventsCommand(input)));
    return out;
  } finally {
    sdk.destroy();
  }
}

/**
 * The same SDK calls against a bare node:http server that answers every request with `body`
 * (a real 50-event LookupEvents response): the cost of signing, HTTP and response parsing alone.
 */
export async function bareHttpBaseline(
  body: string,
  calls: number,
  creds: HttpCredentials,
): Promise<Latency> {
  const bytes = Buffer.from(body);
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "content-length": bytes.length });
      res.end(bytes);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const sdk = client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, creds, "us-east-1");
  try {
    const inputs = Array.from({ length: calls }, () => ({ MaxResults: 50 }));
    await timeCalls(inputs.slice(0, 50), (input) => sdk.send(new LookupEventsCommand(input)));
    return await timeCalls(inputs, (input) => sdk.send(new LookupEventsCommand(input)));
  } finally {
    sdk.destroy();
    server.closeAllConnections();
    server.close();
  }
}
