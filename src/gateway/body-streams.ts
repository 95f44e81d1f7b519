/**
 * Transforms for request bodies that stream through the gateway without being buffered.
 *
 * BodyMeter counts bytes and, given the hex SHA-256 the client signed, checks it while the body
 * streams. The last chunk is held back until the digest matches, so an upstream never receives
 * a complete body whose hash is wrong: on a mismatch the stream fails and the upstream request
 * is aborted short of its declared length.
 *
 * AwsChunkedDecoder turns a `Content-Encoding: aws-chunked` body back into plain bytes, for
 * re-signing: the client's chunk signatures chain from its own seed signature, which an
 * upstream checking our signature could not verify. Chunk signatures are not verified here
 * (the seed signature over the headers was); trailers are dropped.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

export class PayloadHashMismatch extends Error {
  override name = "PayloadHashMismatch";
}

export class BodyMeter extends Transform {
  bytes = 0;
  private readonly hash?: Hash;
  private held?: Buffer;

  constructor(private readonly expectedHex?: string) {
    super();
    if (expectedHex) this.hash = createHash("sha256");
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (!this.hash) {
      cb(null, chunk);
      return;
    }
    this.hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    cb(null, previous);
  }

  override _flush(cb: TransformCallback): void {
    if (this.hash && this.hash.digest("hex") !== this.expectedHex?.toLowerCase()) {
      cb(new PayloadHashMismatch("body does not match x-amz-content-sha256"));
      return;
    }
    cb(null, this.held);
  }
}

const CRLF = Buffer.from("\r\n");
/** A chunk header line is short; a longer one is not aws-chunked. */
const MAX_HEADER_LINE = 4096;

export class AwsChunkedDecoder extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of chunk data still to pass through, then the CRLF after them. */
  private remaining = 0;
  private state: "header" | "data" | "crlf" | "done" = "header";

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    try {
      this.drain();
      if (this.state === "done") this.pending = Buffer.alloc(0);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    cb(this.state === "done" ? null : new Error("aws-chunked body ended early"));
  }

  private drain(): void {
    while (this.pending.length > 0 && this.state !== "done") {
      if (this.state === "data") {
        const n = Math.min(this.remaining, this.pending.length);
        this.push(this.pending.subarray(0, n));
        this.pending = this.pending.subarray(n);
        this.remaining -= n;
        if (this.remaining === 0) this.state = "crlf";
      } else if (this.state === "crlf") {
        if (this.pending.length < 2) return;
        this.pending = this.pending.subarray(2);
        this.state = "header";
      } else {
        const end = this.pending.indexOf(CRLF);
        if (end < 0) {
          if (this.pending.length > MAX_HEADER_LINE) throw new Error("malformed aws-chunked body");
          return;
        }
        const size = Number.parseInt(this.pending.toString("latin1", 0, end).split(";")[0] ?? "", 16);
        if (!Number.isInteger(size) || size < 0) throw new Error("malformed aws-chunked body");
        this.pending = this.pending.subarray(end + 2);
        this.remaining = size;
        // The zero-size chunk ends the data; trailers after it are not forwarded.
        this.state = size === 0 ? "done" : "data";
      }
    }
  }
}
