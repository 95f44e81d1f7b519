import type { Worker } from "node:worker_threads";
import type { LookupEventsRequest, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import type { Logger } from "../config/logger.js";
import { startSiblingWorker } from "../config/module-worker.js";
import type { CursorStore, LogRecord } from "../log/types.js";
import { EncodedJsonOutput } from "../protocol/aws-json.js";
import { AwsError, type Fault } from "../protocol/errors.js";
import type { HistoryIndexOptions, HistoryScope, HistoryStats } from "./history-index.js";

/**
 * Event history on a thread of its own. Indexing a batch of a thousand records takes the
 * HistoryIndex tens of milliseconds of CPU; on the event loop that was a tenth of every API
 * call's cost and a stall for every request in flight. Here the index (and its SQLite database)
 * lives on a worker thread: the main thread hands it each batch's bytes in one transferred
 * buffer and asks it lookups, in order. Same guarantees as HistoryIndex (exactly-once apply
 * with the cursor in the database); its AwsErrors come back as AwsErrors.
 *
 * If the worker dies (a crash, running out of memory), the calls in flight fail and a new
 * worker opens the same database: its transactions make that safe (a batch cut off is rolled
 * back and applied again by the consumer's retry; the in-memory part of the index is rebuilt
 * from the database at open). Restarts back off while they keep failing.
 */

/** A call to the worker; `id` 0 is the worker's ready message (its cursor) at start. */
export type ThreadCall = { id: number } & (
  | { method: "apply"; data: Buffer; seqs: Float64Array; ends: Uint32Array }
  | { method: "save"; next: number }
  | { method: "lookupEvents"; input: LookupEventsRequest; scope: HistoryScope; now: number }
  | { method: "lookupEventsJson"; input: LookupEventsRequest; scope: HistoryScope; now: number }
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

/** A worker whose index has opened, and the index's cursor. */
function spawn(options: HistoryIndexOptions): Promise<{ worker: Worker; position: number }> {
  const worker = startSiblingWorker(import.meta.url, "history-thread-worker", { workerData: options });
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
      resolve({ worker, position: m.result as number });
    };
    worker.once("message", onReady);
    worker.once("error", onError);
    worker.once("exit", onExit);
  });
}

export interface HistoryThreadHooks {
  logger?: Logger;
  /** Delay before the n-th restart in a row (n from 0); default 0, then 100 ms doubling to 30 s. */
  restartDelayMs?: (n: number) => number;
}

const defaultRestartDelay = (n: number) => (n === 0 ? 0 : Math.min(30_000, 100 * 2 ** (n - 1)));

export class HistoryThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The running worker; undefined while a new one is being started. */
  private worker: Worker | undefined;
  /** Why the last worker was lost, while no new one is running yet. */
  private failure: Error | undefined;
  /** Settles when the restart in progress has a worker running (or has failed). */
  private starting: Promise<void> | undefined;
  private restarts = 0;
  private closed = false;

  private constructor(
    private readonly options: HistoryIndexOptions,
    private readonly hooks: HistoryThreadHooks,
    worker: Worker,
    /** The worker's cursor as of its last answer: the next seq to apply. */
    private position: number,
  ) {
    this.adopt(worker);
  }

  static open(options: HistoryIndexOptions, hooks: HistoryThreadHooks = {}): Promise<HistoryThread> {
    const days = options.retentionDays ?? 90;
    if (!Number.isFinite(days) || days <= 0) throw new RangeError("retentionDays must be a positive number");
    return spawn(options).then(({ worker, position }) => new HistoryThread(options, hooks, worker, position));
  }

  /** How many times a lost worker was replaced. */
  get restartCount(): number {
    return this.restarts;
  }

  private adopt(worker: Worker): void {
    this.worker = worker;
    worker.on("message", (m: ThreadReply) => this.settle(m));
    worker.on("error", (e) => this.lost(worker, e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => this.lost(worker, new Error(`history worker exited (code ${code})`)));
    // Only calls in flight keep the process alive (see call()).
    worker.unref();
  }

  private lost(worker: Worker, cause: Error): void {
    if (this.closed || worker !== this.worker) return;
    this.worker = undefined;
    void worker.terminate();
    this.failure = cause;
    for (const p of this.pending.values()) p.reject(cause);
    this.pending.clear();
    this.hooks.logger?.error("history worker lost; starting a new one", { error: cause.message });
    this.restart(0);
  }

  private restart(attempt: number): void {
    const delay = (this.hooks.restartDelayMs ?? defaultRestartDelay)(attempt);
    const starting = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      // Calls may be waiting for the first attempt; nothing waits on a later one.
      if (attempt > 0) timer.unref();
    })
      .then(() => (this.closed ? undefined : spawn(this.options)))
      .then(
        (started) => {
          this.starting = undefined;
          if (!started) return;
          if (this.closed) {
            void started.worker.terminate();
            return;
          }
          this.restarts++;
          this.failure = undefined;
          this.position = started.position;
          this.adopt(started.worker);
          this.hooks.logger?.info("history worker restarted", { cursor: started.position });
        },
        (e: unknown) => {
          this.starting = undefined;
          this.failure = e instanceof Error ? e : new Error(String(e));
          this.hooks.logger?.error("history worker failed to restart", { error: this.failure.message });
          if (!this.closed) this.restart(attempt + 1);
        },
      );
    // Calls wait for the first attempt only: while later ones back off, they fail at once.
    this.starting = attempt === 0 ? starting : undefined;
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

  /**
   * lookupEvents' answer as the wire carries it, serialised on the worker: the main thread then
   * neither deserialises the page's ~75 KB of strings nor serialises them again.
   */
  async lookupEventsJson(
    input: LookupEventsRequest,
    scope: HistoryScope,
    now: Date = new Date(),
  ): Promise<EncodedJsonOutput> {
    const bytes = (await this.call({
      method: "lookupEventsJson",
      input,
      scope,
      now: now.getTime(),
    })) as Uint8Array;
    return new EncodedJsonOutput(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
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
    if (!this.worker && this.starting) await this.starting;
    try {
      if (this.worker) await this.call({ method: "close" });
    } finally {
      this.closed = true;
      await this.worker?.terminate();
      this.worker = undefined;
    }
  }

  private async call(body: CallBody, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) throw new Error("history index is closed");
    // A restart in progress: wait for its worker (or its failure) rather than fail at once.
    if (!this.worker && this.starting) await this.starting;
    const worker = this.worker;
    if (this.closed) throw new Error("history index is closed");
    if (!worker) throw this.failure ?? new Error("history worker is not running");
    const id = this.nextId++;
    if (this.pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(Object.assign({ id }, body), transfer);
    });
  }

  private settle(m: ThreadReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (!m.error) {
      p.resolve(m.result);
      return;
    }
    const { message, aws } = m.error;
    p.reject(aws ? new AwsError(aws.code, message, aws.status, aws.fault, aws.headers) : new Error(message));
  }
}
