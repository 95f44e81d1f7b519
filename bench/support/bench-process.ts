/**
 * Child processes for the HTTP benches: OpenTrail as users run it (the compiled `dist/`, which
 * `npm run bench` builds first through `prebench`; from source under tsx when there is no
 * build), the baselines under tsx, and the CPU time each one spent, read from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const REPO = new URL("../../", import.meta.url).pathname;

export interface BenchProcess {
  proc: ChildProcess;
  port: number;
}

/** `opentrail <args>` (the args should include `--port 0`); resolves once it listens. */
export function spawnOpenTrail(args: string[]): Promise<BenchProcess> {
  const built = join(REPO, "dist/cli/main.js");
  return spawnListening(
    existsSync(built) ? [built, ...args] : ["--import", "tsx", join(REPO, "src/cli/main.ts"), ...args],
  );
}

/** A TypeScript baseline server (it prints `listening on http://host:port`). */
export function spawnScript(script: string, args: string[] = []): Promise<BenchProcess> {
  return spawnListening(["--import", "tsx", join(REPO, script), ...args]);
}

/**
 * OPENTRAIL_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to every spawned
 * server: NODE_OPTIONS refuses --cpu-prof, and profiling the server under the bench's load is
 * how its costs are found.
 */
const NODE_ARGS = (process.env.OPENTRAIL_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);

function spawnListening(argv: string[]): Promise<BenchProcess> {
  const proc = spawn(process.execPath, [...NODE_ARGS, ...argv], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d) => {
      out += d;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m?.[1]) resolve({ proc, port: Number(m[1]) });
    });
    proc.once("exit", (code) => reject(new Error(`bench server ${argv.join(" ")} exited ${code}`)));
  });
}

/** Stops a bench server: SIGTERM (OpenTrail drains and checkpoints), then waits for its exit. */
export async function stopProcess(p: BenchProcess | undefined): Promise<void> {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  const exited = new Promise((r) => p.proc.once("exit", r));
  p.proc.kill("SIGTERM");
  const timer = setTimeout(() => p.proc.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** User+system CPU milliseconds a process (all its threads) has used so far; NaN off Linux. */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return Number.NaN;
  }
}
