import { Agent, request } from "node:http";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigV4JsonClientOptions {
  /** Base URL, e.g. http://127.0.0.1:4580. */
  url: string;
  credentials: SigV4Credentials;
  region: string;
  /** Signing name, e.g. "cloudtrail". */
  service: string;
  /** X-Amz-Target prefix, e.g. "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101". */
  targetPrefix: string;
}

/** Dates as AWS JSON 1.1 sends timestamps: epoch seconds. */
function awsJson(input: unknown): string {
  return JSON.stringify(input, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
}

/**
 * A lean AWS JSON 1.1 client for benchmarks: each call is signed with SigV4 by the SDK's own
 * signer (@smithy/signature-v4, hashing with node:crypto) and sent over one kept-alive
 * connection; the response body is parsed with JSON.parse. It measures the server, where the
 * SDK v3 client's middleware stack and deserialisers would add milliseconds of client CPU.
 */
export class SigV4JsonClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly signer: SignatureV4;
  private readonly host: string;
  private readonly port: number;

  constructor(private readonly opts: SigV4JsonClientOptions) {
    const url = new URL(opts.url);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.signer = new SignatureV4({
      credentials: opts.credentials,
      region: opts.region,
      service: opts.service,
      sha256: Hash.bind(null, "sha256"),
    });
  }

  /** Calls `operation`; resolves with the parsed response, rejects with the AWS error code. */
  async call(operation: string, input: unknown): Promise<unknown> {
    const body = awsJson(input);
    const signed = await this.signer.sign(
      new HttpRequest({
        method: "POST",
        protocol: "http:",
        hostname: this.host,
        port: this.port,
        path: "/",
        headers: {
          host: `${this.host}:${this.port}`,
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `${this.opts.targetPrefix}.${operation}`,
        },
        body,
      }),
    );
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method: "POST",
          path: "/",
          headers: signed.headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { __type?: string };
            if (res.statusCode === 200) resolve(parsed);
            else reject(new Error(`${operation}: HTTP ${res.statusCode} ${parsed.__type ?? ""}`));
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  destroy(): void {
    this.agent.destroy();
  }
}
