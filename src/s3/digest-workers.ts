import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/**
 * MD5, SHA-1, SHA-256 and CRC32 of request bodies on worker threads, so hashing a large PutObject
 * (MD5 alone runs near 600 MB/s per core) does not hold the event loop. The bytes must sit in
 * shared memory (BufferPool): the worker reads them in place, nothing is copied. The worker is
 * plain JavaScript evaluated in place, so it runs the same from source (tsx) and from dist.
 */
export type WorkerDigest = "md5" | "crc32" | "sha1" | "sha256";

/** md5 as hex (the ETag); the others as base64 of the digest, as S3 checksum headers carry them. */
export type Digests = Partial<Record<WorkerDigest, string>>;

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { crc32 } = require("node:zlib");
parentPort.on("message", ({ id, data, algorithms }) => {
  try {
    const out = {};
    for (const a of algorithms) {
      if (a === "crc32") {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(crc32(data) >>> 0);
        out[a] = b.toString("base64");
      } else out[a] = createHash(a).update(data).digest(a === "md5" ? "hex" : "base64");
    }
    parentPort.postMessage({ id, out });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e) });
  }
});`;

interface Job {
  resolve(d: Digests): void;
  reject(e: Error): void;
}

interface DigestWorker {
  worker: Worker;
  jobs: Map<number, Job>;
}

export class DigestWorkers {
  private readonly workers: DigestWorker[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly size = Math.min(2, availableParallelism())) {}

  /** Digests of `data`, which must be backed by a SharedArrayBuffer. */
  compute(data: Buffer, algorithms: WorkerDigest[]): Promise<Digests> {
    if (!(data.buffer instanceof SharedArrayBuffer)) throw new Error("digest input must be in shared memory");
    const w = this.pick();
    const id = this.nextId++;
    return new Promise<Digests>((resolve, reject) => {
      w.jobs.set(id, { resolve, reject });
      w.worker.postMessage({ id, data, algorithms });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.splice(0).map((w) => w.worker.terminate()));
  }

  /** The least busy worker, starting one while fewer than `size` run. */
  private pick(): DigestWorker {
    if (this.closed) throw new Error("digest workers closed");
    let best: DigestWorker | undefined;
    for (const w of this.workers) if (!best || w.jobs.size < best.jobs.size) best = w;
    if (best && (best.jobs.size === 0 || this.workers.length >= this.size)) return best;
    return this.spawn();
  }

  private spawn(): DigestWorker {
    const w: DigestWorker = { worker: new Worker(WORKER_SOURCE, { eval: true }), jobs: new Map() };
    // Idle workers must not keep a process alive that is otherwise done.
    w.worker.unref();
    w.worker.on("message", (m: { id: number; out?: Digests; error?: string }) => {
      const job = w.jobs.get(m.id);
      w.jobs.delete(m.id);
      if (m.out) job?.resolve(m.out);
      else job?.reject(new Error(`digest worker: ${m.error}`));
    });
    const fail = (e: Error) => {
      const i = this.workers.indexOf(w);
      if (i >= 0) this.workers.splice(i, 1);
      for (const job of w.jobs.values()) job.reject(e);
      w.jobs.clear();
    };
    w.worker.on("error", fail);
    w.worker.on("exit", (code) => fail(new Error(`digest worker exited with code ${code}`)));
    this.workers.push(w);
    return w;
  }
}
