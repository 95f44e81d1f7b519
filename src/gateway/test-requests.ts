/**
 * Hand-signed HTTP/1.1 requests for what the SDKs will not send: a Host header naming a bucket,
 * a clock in the past, a streamed body of a chosen size and declared hash.
 */
import { request } from "node:http";
import type { Readable } from "node:stream";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { ADMIN } from "../test-support/fixtures.js";

export interface SignedRequestOptions {
  service: string;
  method?: string;
  path?: string;
  host?: string;
  headers?: Record<string, string>;
  /** A buffer is hashed into the signature unless x-amz-content-sha256 is given. */
  body?: Buffer | string | Readable;
  creds?: { accessKeyId: string; secretAccessKey: string };
  signingDate?: Date;
}

export interface PlainResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export async function signedRequest(baseUrl: string, opts: SignedRequestOptions): Promise<PlainResponse> {
  const url = new URL(opts.path ?? "/", baseUrl);
  const host = opts.host ?? url.host;
  const streamed = opts.body !== undefined && typeof opts.body !== "string" && !Buffer.isBuffer(opts.body);
  const signer = new SignatureV4({
    credentials: opts.creds ?? ADMIN,
    region: "us-east-1",
    service: opts.service,
    sha256: Sha256,
    uriEscapePath: opts.service !== "s3",
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: opts.method ?? "POST",
      protocol: "http:",
      hostname: host.replace(/:\d+$/, ""),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host, ...opts.headers },
      body: streamed ? undefined : opts.body,
    }),
    { signingDate: opts.signingDate },
  );
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: signed.method,
        path: `${url.pathname}${url.search}`,
        headers: signed.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (streamed) (opts.body as Readable).pipe(req);
    else req.end(opts.body);
  });
}
