import { isMainThread, parentPort } from "node:worker_threads";
import { startModuleWorker } from "../../src/config/module-worker.js";
import { S3Connection } from "./s3-connection.js";

/** What @aws-sdk/client-s3 adds to a GetObject (flexible checksums on). */
const GET_HEADERS = { "x-amz-checksum-mode": "ENABLED" };

/**
 * A PutObject / GetObject load generator on its own thread, as a real client would be in its
 * own process: the server's event loop then runs only the server. Each phase keeps
 * `concurrency` requests in flight and reports the elapsed milliseconds.
 */
export interface LoadPhase {
  op: "put" | "get";
  bucket: string;
  /** Keys are `${prefix}${i}` for i in [start, start + count). */
  prefix: string;
  start?: number;
  count: number;
}

type Command = { setup: { endpoint: string; concurrency: number; body: Uint8Array } } | { phase: LoadPhase };
type Reply = { ready: true } | { ms: number } | { error: string };

export class S3LoadGenerator {
  private readonly worker = startModuleWorker(new URL(import.meta.url));
  private pending: { resolve(r: Reply): void; reject(e: Error): void } | undefined;

  private constructor() {
    this.worker.on("message", (reply: Reply) => {
      const p = this.pending;
      this.pending = undefined;
      if ("error" in reply) p?.reject(new Error(reply.error));
      else p?.resolve(reply);
    });
    this.worker.on("error", (e) => this.pending?.reject(e));
  }

  /** One command at a time: the worker answers each before the next is sent. */
  private ask(command: Command): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(command);
    });
  }

  static async start(endpoint: string, concurrency: number, body: Buffer): Promise<S3LoadGenerator> {
    const load = new S3LoadGenerator();
    await load.ask({ setup: { endpoint, concurrency, body } });
    return load;
  }

  async run(phase: LoadPhase): Promise<number> {
    const reply = await this.ask({ phase });
    return "ms" in reply ? reply.ms : Number.NaN;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

function serveCommands(): void {
  let concurrency = 1;
  let body = Buffer.alloc(0);
  let connections: S3Connection[] = [];
  async function phase(p: LoadPhase): Promise<number> {
    const start = performance.now();
    let next = p.start ?? 0;
    const end = next + p.count;
    const worker = async (_: unknown, i: number) => {
      const c = connections[i] as S3Connection;
      while (next < end) {
        const key = `${p.prefix}${next++}`;
        if (p.op === "put") {
          const res = await c.put(p.bucket, key, body);
          if (res.status !== 200) throw new Error(`PutObject ${key}: ${res.status}`);
          continue;
        }
        const res = await c.get(p.bucket, key, GET_HEADERS);
        if (res.status !== 200 || res.length !== body.length)
          throw new Error(`GetObject ${key}: ${res.status}, ${res.length} bytes`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return performance.now() - start;
  }
  parentPort?.on("message", (command: Command) => {
    if ("setup" in command) {
      const { endpoint } = command.setup;
      concurrency = command.setup.concurrency;
      body = Buffer.from(command.setup.body);
      Promise.all(Array.from({ length: concurrency }, () => S3Connection.open(endpoint))).then(
        (opened) => {
          connections = opened;
          parentPort?.postMessage({ ready: true } satisfies Reply);
        },
        (e: unknown) => parentPort?.postMessage({ error: String(e) } satisfies Reply),
      );
      return;
    }
    phase(command.phase).then(
      (ms) => parentPort?.postMessage({ ms } satisfies Reply),
      (e: unknown) => parentPort?.postMessage({ error: String(e) } satisfies Reply),
    );
  });
}

if (!isMainThread) serveCommands();
