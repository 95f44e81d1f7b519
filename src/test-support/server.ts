import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { resolveConfig } from "../config/config.js";
import { silentLogger } from "../config/logger.js";
import { type OpenTrail, startOpenTrail } from "../main.js";
import { ADMIN, type TempDir, tempDir, writeIdentitiesFile } from "./fixtures.js";

export const REPO_ROOT = new URL("../../", import.meta.url).pathname;

export interface TestServer {
  app: OpenTrail;
  url: string;
  dir: TempDir;
  stop(): Promise<void>;
}

/** An in-process server on a free port with the fixed test identities and its own data folder. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = tempDir();
  const identities = writeIdentitiesFile(dir.path);
  const config = resolveConfig(
    { port: 0, host: "127.0.0.1", data: join(dir.path, "data"), identities },
    { ...env, OPENTRAIL_LOG_LEVEL: "silent" },
  );
  const app = await startOpenTrail(config, silentLogger);
  return {
    app,
    url: app.url,
    dir,
    stop: async () => {
      await app.stop();
      dir.remove();
    },
  };
}

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function cloudTrailClient(url: string, creds: Keys = ADMIN, region = "us-east-1"): CloudTrailClient {
  return new CloudTrailClient({
    endpoint: url,
    region,
    credentials: {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
    },
    maxAttempts: 1,
  });
}

/** STS client of the server, one attempt per call. */
export function stsTestClient(url: string, creds: Keys = ADMIN, region = "us-east-1"): STSClient {
  return new STSClient({ endpoint: url, region, credentials: creds, maxAttempts: 1 });
}

/** Path-style S3 client of the built-in store, one attempt per call. */
export function s3TestClient(url: string, creds: Keys = ADMIN, region = "us-east-1"): S3Client {
  return new S3Client({
    endpoint: url,
    region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
    },
    maxAttempts: 1,
  });
}

export interface ChildServer {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM and wait; SIGKILL if it does not exit in time. */
  stop(): Promise<number | null>;
}

/** Runs `opentrail serve` as a child process (through tsx, from the sources). */
export async function spawnServer(args: string[], env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(REPO_ROOT, "src/cli/main.ts"), "serve", ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, OPENTRAIL_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    // A start that times out must not leave its child running: the test run would never exit.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within 20 s: ${err}`));
    }, 20_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
  return {
    child,
    url,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
