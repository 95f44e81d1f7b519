import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { RawS3Client } from "./raw-s3-client.js";

/**
 * A PutObject / GetObject load generator on its own thread, as a real client would be in its
 * own process: the server's event loop then runs only the server. Each phase keeps
 * `concurrency` requests in flight and reports the elapsed milliseconds.
 */
export interface LoadPhase {
  op: "put" | "get";
  bucket: string;
  /** Keys are `${prefix}${i}` for i in [0, count). */
  prefix: string;
  count: number;
}

type Command = { setup: { endpoint: string; concurrency: number; body: Uint8Array } } | { phase: LoadPhase };
type Reply = { ready: true } | { ms: number } | { error: string };

export class S3LoadGenerator {
  // Node 20 workers do not get tsx from --import: register it, then load this .ts file.
  private readonly worker = new Worker(
    `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
      .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`,
    { eval: true },
  );
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
  let client: RawS3Client | undefined;
  let concurrency = 1;
  let body = Buffer.alloc(0);
  async function phase(p: LoadPhase): Promise<number> {
    const c = client as RawS3Client;
    const start = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < p.count) {
        const key = `${p.prefix}${next++}`;
        if (p.op === "put") await c.putObject(p.bucket, key, body);
        else if ((await c.getObject(p.bucket, key)).length !== body.length)
          throw new Error(`GetObject ${key}: wrong length`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return performance.now() - start;
  }
  parentPort?.on("message", (command: Command) => {
    if ("setup" in command) {
      client = new RawS3Client(command.setup.endpoint, command.setup.concurrency);
      concurrency = command.setup.concurrency;
      body = Buffer.from(command.setup.body);
      parentPort?.postMessage({ ready: true } satisfies Reply);
      return;
    }
    phase(command.phase).then(
      (ms) => parentPort?.postMessage({ ms } satisfies Reply),
      (e: unknown) => parentPort?.postMessage({ error: String(e) } satisfies Reply),
    );
  });
}

if (!isMainThread) serveCommands();
