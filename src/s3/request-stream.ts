import type { Readable } from "node:stream";
import type { BufferPool } from "./buffer-pool.js";
import { S3Errors } from "./errors.js";

/**
 * Reads a request body the edge handed over unread. With a declared Content-Length of 64 KB or
 * more the bytes go straight into one pooled buffer (no chunk list, no concatenation, no fresh
 * 1 MB allocation per PutObject); the caller gives it back once the call is answered.
 */

/** Smaller bodies (XML documents, empty CopyObject bodies) are not worth a pooled buffer. */
const POOLED_MIN_BYTES = 64 * 1024;

/** Whether `receiveBody` will read a body with these headers into one pooled buffer. */
export function receivesPooled(headers: Record<string, string>, limit: number): boolean {
  const declared = Number(headers["content-length"]);
  return Number.isSafeInteger(declared) && declared >= POOLED_MIN_BYTES && declared <= limit;
}

export interface ReceivedBody {
  body: Buffer;
  /** Whether `body` came from the pool (release it when done). */
  pooled: boolean;
}

export function receiveBody(
  stream: Readable,
  headers: Record<string, string>,
  pool: BufferPool,
  limit: number,
  /** Told, for a pooled body, how many of its bytes have arrived (a BlobUpload writes them). */
  progress?: (body: Buffer, received: number) => void,
): Promise<ReceivedBody> {
  const header = headers["content-length"];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0))
    return Promise.reject(S3Errors.incompleteBody());
  if (declared !== undefined && declared > limit) return Promise.reject(S3Errors.entityTooLarge());
  const target = receivesPooled(headers, limit) ? pool.acquire(declared as number) : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<ReceivedBody>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      stream.off("data", onData);
      // A BlobUpload write still in flight only reads this memory, into a file that is dropped.
      if (target) pool.release(target);
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      if (target) {
        if (size + chunk.length > target.length) return fail(S3Errors.incompleteBody());
        chunk.copy(target, size);
        size += chunk.length;
        progress?.(target, size);
        return;
      }
      if (size + chunk.length > limit) return fail(S3Errors.entityTooLarge());
      chunks.push(chunk);
      size += chunk.length;
    };
    // A client that goes away mid-body: "error" or only "close", no "end". (An error is built
    // only then: its stack trace is not free, and "close" follows every "end" too.)
    const cut = () => {
      if (!settled) fail(S3Errors.incompleteBody());
    };
    stream.on("data", onData);
    stream.once("error", cut);
    stream.once("close", cut);
    stream.once("end", () => {
      if (declared !== undefined && size !== declared) return fail(S3Errors.incompleteBody());
      settled = true;
      resolve(target ? { body: target, pooled: true } : { body: Buffer.concat(chunks, size), pooled: false });
    });
  });
}
