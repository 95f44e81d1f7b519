/**
 * The worker side of HistoryThread: one HistoryIndex, driven by numbered calls from the main
 * thread. Each call is answered in order with its result, or with its error as plain data (an
 * AwsError keeps its code, message and status across the thread boundary).
 */
import { parentPort, workerData } from "node:worker_threads";
import { encodeJsonOutput } from "../protocol/aws-json.js";
import { isAwsError } from "../protocol/errors.js";
import { HistoryIndex, type HistoryIndexOptions } from "./history-index.js";
import type { ThreadCall, ThreadReply } from "./history-thread.js";

const port = parentPort;
if (!port) throw new Error("history-thread-worker runs only as a worker thread");

function reply(message: ThreadReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

const utf8 = new TextEncoder();

let index: HistoryIndex | undefined;
try {
  index = HistoryIndex.open(workerData as HistoryIndexOptions);
  reply({ id: 0, result: index.cursor().load() });
} catch (e) {
  reply({ id: 0, error: { message: e instanceof Error ? e.message : String(e) } });
}

port.on("message", (call: ThreadCall) => {
  try {
    if (!index) throw new Error("history index did not open");
    const result = run(index, call);
    // Encoded bytes have an ArrayBuffer of their own (TextEncoder's): moved, not copied.
    reply({ id: call.id, result }, result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : []);
  } catch (e) {
    reply({
      id: call.id,
      error: isAwsError(e)
        ? { message: e.message, aws: { code: e.code, status: e.status, fault: e.fault, headers: e.headers } }
        : { message: e instanceof Error ? e.message : String(e) },
    });
  }
});

function run(index: HistoryIndex, call: ThreadCall): unknown {
  switch (call.method) {
    case "apply": {
      const { seqs, ends } = call;
      // A transferred Buffer arrives as a plain Uint8Array.
      const data = Buffer.from(call.data.buffer, call.data.byteOffset, call.data.byteLength);
      const records = new Array(seqs.length);
      for (let i = 0, start = 0; i < seqs.length; i++) {
        const end = ends[i] as number;
        records[i] = { seq: seqs[i] as number, payload: data.subarray(start, end) };
        start = end;
      }
      index.apply(records);
      return index.cursor().load();
    }
    case "save":
      // HistoryIndex saves synchronously, in its database.
      void index.cursor().save(call.next);
      return index.cursor().load();
    case "lookupEvents":
      return index.lookupEvents(call.input, call.scope, new Date(call.now));
    case "lookupEventsJson":
      return utf8.encode(encodeJsonOutput(index.lookupEvents(call.input, call.scope, new Date(call.now))));
    case "enforceRetention":
      return index.enforceRetention(new Date(call.now));
    case "flush":
      return index.flush();
    case "stats":
      return index.stats();
    case "close":
      return index.close();
  }
}
