/**
 * Transforms for request bodies that stream through the gateway without being buffered.
 *
 * BodyMeter counts bytes and, given the hex SHA-256 the client signed, checks it while the body
 * streams. The last chunk is held back until the digest matches, so an upstream never receives
 * a complete body whose hash is wrong: on a mismatch the stream fails and the upstream request
 * is aborted short of its declared length.
 *
 * SignedChunks checks a STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] body (aws-chunked, each
 * chunk signed over the previous signature, chained from the verified seed) as it streams, and
 * passes it on decoded (plain bytes, for re-signing: an upstream checking our signature could
 * not verify the client's chunk signatures) or as sent (for an upstream that gets the client's
 * signature). A chunk's bytes leave only once its signature has verified, and the last data
 * chunk only once the final empty chunk and the trailer have: an upstream never receives a
 * complete body that is not the one the client signed. Memory is two chunks at most.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { ChunkSignatureChain, type ChunkSigning } from "../protocol/sigv4-chunks.js";

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

/** A chunk or trailer signature that is missing or does not verify. */
export class ChunkSignatureMismatch extends Error {
  override name = "ChunkSignatureMismatch";
}

/** A body that is not aws-chunked as SigV4 streaming writes it (`incomplete`: it stops short). */
export class MalformedChunkedBody extends Error {
  override name = "MalformedChunkedBody";
  constructor(
    message: string,
    readonly incomplete = false,
  ) {
    super(message);
  }
}

const EMPTY = Buffer.alloc(0);
/** A chunk header or trailer line is short; a longer one is not aws-chunked. */
const MAX_LINE = 4096;
/** Trailing headers (checksums) are a few short lines. */
const MAX_TRAILER = 16 * 1024;
/**
 * A chunk is held whole until its signature verifies, so its size bounds memory. SDKs send
 * 8-64 KiB; S3 documents no upper bound, this one keeps a 1 GB "chunk" from being buffered.
 */
const MAX_CHUNK = 16 * 1024 * 1024;
const SIGNATURE_EXTENSION = "chunk-signature=";
const TRAILER_SIGNATURE = "x-amz-trailer-signature";
const HEX_SIZE = /^[0-9a-fA-F]+$/;

export class SignedChunks extends Transform {
  /** Body bytes read from the client. */
  bytes = 0;
  /**
   * Settles once every signature in the body has verified (undefined), or with what ended
   * it: a ChunkSignatureMismatch, a MalformedChunkedBody, or the failure of either side.
   */
  readonly checked: Promise<Error | undefined>;
  private settle!: (outcome: Error | undefined) => void;
  private readonly chain: ChunkSignatureChain;
  private pending: Buffer = EMPTY;
  private state: "header" | "data" | "crlf" | "trailer" | "done" = "header";
  private remaining = 0;
  private signature: string | undefined;
  /** The current chunk's data. */
  private data: Buffer[] = [];
  /** The current chunk (or final chunk and trailer) as sent, when the encoding is kept. */
  private sent: Buffer[] = [];
  /** The last verified chunk, released when the next signature verifies. */
  private held: Buffer[] = [];
  private readonly trailers: [string, string][] = [];
  private trailerBytes = 0;
  private trailerSignature: string | undefined;

  /** `keepEncoding`: pass the body on as sent (size lines, signatures, trailer), not decoded. */
  constructor(
    private readonly signing: ChunkSigning,
    private readonly keepEncoding: boolean,
  ) {
    super();
    this.chain = new ChunkSignatureChain(signing);
    this.checked = new Promise((resolve) => {
      this.settle = resolve;
    });
    // Also the listener that keeps an early failure (before anyone reads) from being unhandled.
    this.once("error", (e) => this.settle(e));
    this.once("close", () => this.settle(new Error("aws-chunked body not read to its end")));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.state === "done") {
      cb();
      return;
    }
    this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    try {
      this.drain();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.state !== "done") {
      cb(new MalformedChunkedBody("aws-chunked body ended before its final chunk", true));
      return;
    }
    this.settle(undefined);
    cb();
  }

  private drain(): void {
    while (this.pending.length > 0 && this.state !== "done") {
      if (this.state === "data") {
        const n = Math.min(this.remaining, this.pending.length);
        const piece = this.pending.subarray(0, n);
        this.data.push(piece);
        if (this.keepEncoding) this.sent.push(piece);
        this.pending = this.pending.subarray(n);
        this.remaining -= n;
        if (this.remaining === 0) this.state = "crlf";
      } else if (this.state === "crlf") {
        if (this.pending.length < 2) return;
        if (this.pending[0] !== 13 || this.pending[1] !== 10)
          throw new MalformedChunkedBody("Missing CRLF after chunk data in aws-chunked body");
        if (this.keepEncoding) this.sent.push(this.pending.subarray(0, 2));
        this.pending = this.pending.subarray(2);
        this.endChunk();
        this.state = "header";
      } else {
        const line = this.line();
        if (line === undefined) return;
        if (this.state === "header") this.header(line);
        else this.trailerLine(line);
      }
    }
    if (this.state === "done") this.pending = EMPTY;
  }

  /** The next CRLF-terminated line, consumed; undefined until it has all arrived. */
  private line(): string | undefined {
    const end = this.pending.indexOf("\r\n", 0, "latin1");
    if (end < 0) {
      if (this.pending.length > MAX_LINE)
        throw new MalformedChunkedBody("Malformed chunk header in aws-chunked body");
      return undefined;
    }
    const line = this.pending.toString("latin1", 0, end);
    if (this.keepEncoding) this.sent.push(this.pending.subarray(0, end + 2));
    this.pending = this.pending.subarray(end + 2);
    return line;
  }

  private header(line: string): void {
    const semicolon = line.indexOf(";");
    const sizeText = (semicolon < 0 ? line : line.slice(0, semicolon)).trim();
    if (!HEX_SIZE.test(sizeText)) throw new MalformedChunkedBody("Invalid chunk size in aws-chunked body");
    const size = Number.parseInt(sizeText, 16);
    if (size > MAX_CHUNK)
      throw new MalformedChunkedBody(`Chunk larger than ${MAX_CHUNK} bytes in aws-chunked body`);
    const extension = semicolon < 0 ? "" : line.slice(semicolon + 1).trim();
    this.signature = extension.startsWith(SIGNATURE_EXTENSION)
      ? extension.slice(SIGNATURE_EXTENSION.length)
      : undefined;
    if (size > 0) {
      this.remaining = size;
      this.state = "data";
      return;
    }
    // The final chunk: its (empty) data is signed too; the trailer follows.
    if (!this.chain.chunk(EMPTY, this.signature)) throw new ChunkSignatureMismatch("final chunk signature");
    this.state = "trailer";
  }

  /** A chunk's data has all arrived: it must verify before the previous one is released. */
  private endChunk(): void {
    const data = this.data.length === 1 ? (this.data[0] as Buffer) : Buffer.concat(this.data);
    if (!this.chain.chunk(data, this.signature)) throw new ChunkSignatureMismatch("chunk signature");
    this.release();
    this.held = this.keepEncoding ? this.sent : [data];
    this.data = [];
    this.sent = [];
  }

  private trailerLine(line: string): void {
    if (line === "") {
      // STREAMING-AWS4-HMAC-SHA256-PAYLOAD signs no trailer: trailing headers there are
      // unsigned bytes, refused like any other (as the built-in store does).
      const ok = this.signing.trailer
        ? this.chain.trailer(this.trailers, this.trailerSignature)
        : this.trailers.length === 0 && this.trailerSignature === undefined;
      if (!ok) throw new ChunkSignatureMismatch("trailer signature");
      this.release();
      // Decoded, the trailer is dropped: its checksum is of bytes the upstream gets unsigned.
      if (this.keepEncoding) for (const b of this.sent) this.push(b);
      this.sent = [];
      this.state = "done";
      return;
    }
    this.trailerBytes += line.length;
    const colon = line.indexOf(":");
    if (colon <= 0 || this.trailerBytes > MAX_TRAILER)
      throw new MalformedChunkedBody("Malformed trailing header in aws-chunked body");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE) this.trailerSignature = value;
    else this.trailers.push([name, value]);
  }

  private release(): void {
    for (const b of this.held) this.push(b);
    this.held = [];
  }
}
