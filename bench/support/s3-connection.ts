import { connect, type Socket } from "node:net";
import { crc32 } from "node:zlib";

/**
 * PutObject and GetObject for the S3 load generator, over one keep-alive connection, with the
 * headers @aws-sdk/client-s3 sends (CRC32 flexible checksum on writes, checksum mode on reads)
 * and an UNSIGNED-PAYLOAD signature, as the SDK itself uses over HTTPS. The request goes out in
 * one write; answers are read into a single reused buffer (net `onread`) and only counted.
 * The generator shares the machine's cores with the server, so the less it spends (no HTTP
 * client machinery, no Buffer per read, the body's CRC32 computed once), the more the figure
 * is the server's. Answers must carry a Content-Length (the store always sends one).
 */
const SIGNING_HEADERS: Readonly<Record<string, string>> = {
  "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
  "x-amz-date": "20250101T000000Z",
  authorization:
    "AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
};

function objectPath(bucket: string, key: string): string {
  return `/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
}

/** The bench sends one body over and over: its checksum is computed once. */
const checksums = new WeakMap<Buffer, string>();

function crc32Base64(body: Buffer): string {
  let value = checksums.get(body);
  if (value === undefined) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(crc32(body));
    value = b.toString("base64");
    checksums.set(body, value);
  }
  return value;
}

export interface CountedResponse {
  status: number;
  /** Body bytes received. */
  length: number;
}

const HEAD_END = "\r\n\r\n";

export class S3Connection {
  private readonly socket: Socket;
  /** Every read lands here (net `onread`): no allocation per read. */
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  /** The Host header: name and port. */
  private readonly host: string;
  private pending: { resolve(r: CountedResponse): void; reject(e: Error): void } | undefined;
  /** Head text of the current response while its end has not arrived yet. */
  private head = "";
  private status = 0;
  /** Body bytes still to come; -1 while the head is being read. */
  private remaining = -1;
  private length = 0;

  private constructor(url: URL, ready: () => void, failed: (e: Error) => void) {
    this.host = url.host;
    this.socket = connect({
      host: url.hostname,
      port: Number(url.port),
      onread: { buffer: this.buffer, callback: (n) => this.received(n) },
    });
    this.socket.setNoDelay(true);
    this.socket.once("connect", ready);
    this.socket.on("error", (e) => {
      failed(e);
      this.fail(e);
    });
    this.socket.on("close", () => this.fail(new Error("connection closed")));
  }

  static open(endpoint: string): Promise<S3Connection> {
    return new Promise((resolve, reject) => {
      const c: S3Connection = new S3Connection(new URL(endpoint), () => resolve(c), reject);
    });
  }

  get(bucket: string, key: string, headers: Record<string, string> = {}): Promise<CountedResponse> {
    return this.send("GET", objectPath(bucket, key), headers);
  }

  /** PutObject with the headers @aws-sdk/client-s3 sends: a CRC32 flexible checksum. */
  put(bucket: string, key: string, body: Buffer): Promise<CountedResponse> {
    const headers = {
      "content-type": "application/octet-stream",
      "content-length": String(body.length),
      "x-amz-sdk-checksum-algorithm": "CRC32",
      "x-amz-checksum-crc32": crc32Base64(body),
    };
    return this.send("PUT", objectPath(bucket, key), headers, body);
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<CountedResponse> {
    if (this.pending) return Promise.reject(new Error("one request at a time per connection"));
    let text = `${method} ${path} HTTP/1.1\r\nhost: ${this.host}\r\n`;
    for (const [k, v] of Object.entries(Object.assign({}, SIGNING_HEADERS, headers)))
      text += `${k}: ${v}\r\n`;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.cork();
      this.socket.write(`${text}\r\n`, "latin1");
      if (body) this.socket.write(body);
      this.socket.uncork();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** Always true: keep reading. */
  private received(n: number): boolean {
    const buf = this.buffer;
    let bodyStart = 0;
    if (this.remaining < 0) {
      // The head fits the first read almost always; a split head is carried as text.
      const carried = this.head.length;
      this.head += buf.toString("latin1", 0, Math.min(n, 8192));
      const end = this.head.indexOf(HEAD_END);
      if (end < 0) return true;
      bodyStart = end + HEAD_END.length - carried;
      const headText = this.head.slice(0, end);
      this.head = "";
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1];
      if (length === undefined) return this.fail(new Error(`no Content-Length: ${headText}`));
      this.status = Number(headText.slice(9, 12));
      this.length = Number(length);
      this.remaining = this.length;
    }
    this.remaining -= n - bodyStart;
    if (this.remaining > 0) return true;
    const over = this.remaining < 0;
    this.remaining = -1;
    if (over) return this.fail(new Error("more bytes than Content-Length"));
    const done = this.pending;
    this.pending = undefined;
    done?.resolve({ status: this.status, length: this.length });
    return true;
  }

  private fail(e: Error): true {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
    return true;
  }
}
