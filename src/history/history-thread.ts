import type { Worker } from "node:worker_threads";
import type { LookupEventsRequest, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import { startModuleWorker } from "../config/module-worker.js";
import type { CursorStore, LogRecord } from "../log/types.js";
import { AwsError, type Fault } from "../protocol/errors.js";
import type { HistoryIndexOptions, HistoryScope, HistoryStats } from "./history-index.js";

/**
 * Event history on a thread of its own. Indexing a batch of a thousand records takes the
 * HistoryIndex tens of milliseconds of CPU; on the event loop that was a tenth of every API
 * call's cost and a stall for every request in flight. Here the index (and its SQLite database)
 * lives on a worker thread: the main thread hands it each batch's bytes in one transferred
 * buffer and asks it lookups, in order. Same guarantees as HistoryIndex (exactly-once apply
 * with the cursor in the database); its AwsErrors come back as AwsErrors.
 */

/** A call to the worker; `id` 0 is the worker's ready message (its cursor) at start. */
export type ThreadCall = { id: number } & (
  | { method: "apply"; data: Buffer; seqs: Float64Array; ends: Uint32Array }
  | { method: "save"; next: number }
  | { method: "lookupEvents"; input: LookupEventsRequest; scope: HistoryScope; now: number }
  | { method: "enforceRetention"; now: number }
  | { method: "flush" }
  | { method: "stats" }
  | { method: "close" }
);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type CallBody = DistributiveOmit<ThreadCall, "id">;

export interface ThreadReply {
  id: number;
  result?: unknown;
  error?: {
    message: string;
    aws?: { code: string; status: number; fault: Fault; headers: Record<string, string> };
  };
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** The worker's own module: compiled beside this one, or its source when running from source. */
function startWorker(options: HistoryIndexOptions): Worker {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  return startModuleWorker(new URL(`./history-thread-worker${ext}`, import.meta.url), {
    workerData: options,
  });
}

export class HistoryThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    /** The worker's cursor as of its last answer: the next seq to apply. */
    private position: number,
  ) {
    worker.on("message", (m: ThreadReply) => this.settle(m));
    worker.on("error", (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => this.fail(new Error(`history worker exited (code ${code})`)));
    // Only calls in flight keep the process alive (see call()).
    worker.unref();
  }

  static open(options: HistoryIndexOptions): Promise<HistoryThread> {
    const days = options.retentionDays ?? 90;
    if (!Number.isFinite(days) || days <= 0) throw new RangeError("retentionDays must be a positive number");
    const worker = startWorker(options);
    return new Promise((resolve, reject) => {
      const onExit = (code: number) =>
        onError(new Error(`history worker exited (code ${code}) before it was ready`));
      const onError = (e: unknown) => {
        worker.off("message", onReady);
        worker.off("exit", onExit);
        void worker.terminate();
        reject(e);
      };
      const onReady = (m: ThreadReply) => {
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (m.error) return onError(new Error(m.error.message));
        resolve(new HistoryThread(worker, m.result as number));
      };
      worker.once("message", onReady);
      worker.once("error", onError);
      worker.once("exit", onExit);
    });
  }

  /** The consumer cursor, stored in the history database as HistoryIndex.cursor() is. */
  cursor(): CursorStore {
    return {
      load: () => this.position,
      save: async (next) => {
        // apply() stores the cursor with its batch: usually there is nothing left to save.
        if (next <= this.position) return;
        this.position = (await this.call({ method: "save", next })) as number;
      },
    };
  }

  /** Indexes a batch of log records (see HistoryIndex.apply). */
  async apply(records: LogRecord[]): Promise<void> {
    let bytes = 0;
    for (const r of records) bytes += r.payload.length;
    // One buffer of its own, transferred rather than copied a second time.
    const data = Buffer.allocUnsafeSlow(bytes);
    const seqs = new Float64Array(records.length);
    const ends = new Uint32Array(records.length);
    let offset = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as LogRecord;
      offset += r.payload.copy(data, offset);
      seqs[i] = r.seq;
      ends[i] = offset;
    }
    const call = { method: "apply", data, seqs, ends } as const;
    this.position = (await this.call(call, [data.buffer as ArrayBuffer])) as number;
  }

  lookupEvents(
    input: LookupEventsRequest,
    scope: HistoryScope,
    now: Date = new Date(),
  ): Promise<LookupEventsResponse> {
    return this.call({
      method: "lookupEvents",
      input,
      scope,
      now: now.getTime(),
    }) as Promise<LookupEventsResponse>;
  }

  enforceRetention(now: Date = new Date()): Promise<number> {
    return this.call({ method: "enforceRetention", now: now.getTime() }) as Promise<number>;
  }

  async flush(): Promise<void> {
    await this.call({ method: "flush" });
  }

  stats(): Promise<HistoryStats> {
    return this.call({ method: "stats" }) as Promise<HistoryStats>;
  }

  /** Flushes the in-memory index, closes the database and ends the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failure) await this.call({ method: "close" });
    } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }

  private call(body: CallBody, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error("history index is closed"));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(Object.assign({ id }, body), transfer);
    });
  }

  private settle(m: ThreadReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if (!m.error) {
      p.resolve(m.result);
      return;
    }
    const { message, aws } = m.error;
    p.reject(aws ? new AwsError(aws.code, message, aws.status, aws.fault, aws.headers) : new Error(message));
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
