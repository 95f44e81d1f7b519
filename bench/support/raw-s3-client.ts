import { Agent, request } from "node:http";
import { crc32 } from "node:zlib";

/**
 * A minimal S3 client for throughput benches: PutObject and GetObject over keep-alive HTTP with
 * the headers @aws-sdk/client-s3 sends (flexible CRC32 checksum, checksum mode on reads), but
 * with the per-body work done once (the bench reuses one body) and an UNSIGNED-PAYLOAD
 * signature, as the SDK itself uses over HTTPS. So the figures measure the server, not the
 * SDK's per-request SHA-256 and middleware, which run on the same cores.
 */
function objectPath(bucket: string, key: string): string {
  return `/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
}

export class RawS3Client {
  private readonly agent: Agent;
  private readonly checksums = new WeakMap<Buffer, string>();

  constructor(
    private readonly endpoint: string,
    concurrency: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  private crc32Of(body: Buffer): string {
    let value = this.checksums.get(body);
    if (value === undefined) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(crc32(body));
      value = b.toString("base64");
      this.checksums.set(body, value);
    }
    return value;
  }

  private call(method: string, path: string, headers: Record<string, string>, body?: Buffer) {
    return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = request(`${this.endpoint}${path}`, {
        method,
        agent: this.agent,
        headers: Object.assign(
          {
            "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
            "x-amz-date": "20250101T000000Z",
            authorization:
              "AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
          },
          headers,
        ),
      });
      req.on("error", reject);
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
          }),
        );
      });
      req.end(body);
    });
  }

  async putObject(bucket: string, key: string, body: Buffer): Promise<void> {
    const res = await this.call(
      "PUT",
      objectPath(bucket, key),
      {
        "content-type": "application/octet-stream",
        "content-length": String(body.length),
        "x-amz-sdk-checksum-algorithm": "CRC32",
        "x-amz-checksum-crc32": this.crc32Of(body),
      },
      body,
    );
    if (res.status !== 200) throw new Error(`PutObject ${key}: ${res.status} ${res.body}`);
  }

  async getObject(bucket: string, key: string): Promise<Buffer> {
    const res = await this.call("GET", objectPath(bucket, key), {
      "x-amz-checksum-mode": "ENABLED",
    });
    if (res.status !== 200) throw new Error(`GetObject ${key}: ${res.status} ${res.body}`);
    return res.body;
  }

  destroy(): void {
    this.agent.destroy();
  }
}
