import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root, where `--import tsx` resolves. */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Children still running, so a test file can kill them in `after` whatever happened. */
export const liveChildren = new Set<ChildProcess>();

export function killAll(): void {
  for (const child of liveChildren) child.kill("SIGKILL");
}

/**
 * Starts a test-support script (`name` relative to this folder) under tsx. With `fileSizeLimit`
 * (bytes, a multiple of 512) it runs under `ulimit -f`, so writes past that size fail with EFBIG.
 */
export function runScript(name: string, args: string[], fileSizeLimit?: number): ChildProcess {
  const script = fileURLToPath(new URL(name, import.meta.url));
  const node = [process.execPath, "--import", "tsx", script, ...args];
  const child =
    fileSizeLimit === undefined
      ? spawn(node[0] as string, node.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] })
      : spawn("sh", ["-c", `ulimit -f ${fileSizeLimit / 512} && exec "$0" "$@"`, ...node], {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "pipe"],
        });
  liveChildren.add(child);
  child.on("exit", () => liveChildren.delete(child));
  return child;
}

/** Everything the child writes to stdout and stderr, once it has exited. */
export function outputOf(
  child: ChildProcess,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  child.stderr?.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code }));
  });
}
