import type { LookupEventsRequest } from "@aws-sdk/client-cloudtrail";
import { cpuMs } from "./bench-process.js";
import { runInterleaved } from "./interleave.js";
import { SigV4JsonClient } from "./sigv4-json-client.js";
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

const CLOUDTRAIL_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";

/** One series of LookupEvents calls to one server process. */
export interface HttpSeries {
  url: string;
  /** The server's pid, to read the CPU time it spends on the series. */
  pid: number | undefined;
  inputs: LookupEventsRequest[];
}

export interface HttpLatency {
  p50: number;
  p99: number;
  /** The server process's CPU time (all threads) per call, averaged over the series. */
  serverCpuMs: number;
}

/**
 * LookupEvents latency through HTTP, each request signed with SigV4 (the SDK's signer) and sent
 * over a kept-alive connection, one call at a time, from this process to servers in processes
 * of their own. The series run interleaved (runInterleaved), a tenth of each in turn.
 */
export async function benchHttpSeries(
  series: Record<string, HttpSeries>,
  creds: HttpCredentials,
  region = "us-east-1",
  slices = 10,
): Promise<Record<string, HttpLatency>> {
  const runs = Object.entries(series).map(([name, s]) => ({
    name,
    s,
    client: new SigV4JsonClient({
      url: s.url,
      credentials: creds,
      region,
      service: "cloudtrail",
      targetPrefix: CLOUDTRAIL_TARGET,
    }),
    wall: [] as number[],
    cpu: 0,
  }));
  try {
    for (const r of runs)
      for (const input of r.s.inputs.slice(0, 50)) await r.client.call("LookupEvents", input);
    // Every series has its share of each slice in proportion to its length.
    const count = Math.max(...runs.map((r) => r.s.inputs.length));
    const sides = runs.map((r) => async (from: number, to: number) => {
      const n = r.s.inputs.length;
      const cpu0 = cpuMs(r.s.pid);
      for (const input of r.s.inputs.slice(Math.floor((from * n) / count), Math.floor((to * n) / count))) {
        const t0 = performance.now();
        await r.client.call("LookupEvents", input);
        r.wall.push(performance.now() - t0);
      }
      r.cpu += cpuMs(r.s.pid) - cpu0;
    });
    await runInterleaved(count, slices, 0, sides);
    return Object.fromEntries(
      runs.map((r) => [
        r.name,
        {
          p50: ms(percentile(r.wall, 50)),
          p99: ms(percentile(r.wall, 99)),
          serverCpuMs: ms(r.cpu / r.wall.length),
        },
      ]),
    );
  } finally {
    for (const r of runs) r.client.destroy();
  }
}
