/**
 * One configured upstream and the HTTP exchange with it. A forwarded request keeps the
 * client's method, path, query, headers and body; hop-by-hop headers are dropped and Host
 * becomes the upstream's. With upstream credentials the request is signed again with
 * `@smithy/signature-v4` (the SDK's own signer); without, the client's signature passes
 * through for upstreams that do not check it. Bodies stream both ways with backpressure.
 * The timeout is an idle timeout: no byte sent or received for that long aborts the exchange.
 */
import { createHash } from "node:crypto";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { pipeline, type Readable } from "node:stream";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { UpstreamConfig } from "../config/config.js";
import { PayloadHashMismatch } from "./body-streams.js";

export type FailureKind = "unreachable" | "timeout" | "payload";

export class UpstreamFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface ForwardRequest {
  method: string;
  /** Path-style path, percent-encoded as the client sent it. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer | Readable;
  /** Content-Length to send for a streamed body (undefined: chunked). */
  contentLength?: number;
  /** x-amz-content-sha256 to sign with when re-signing a streamed body. */
  payloadHash?: string;
  service: string;
  region: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  body: IncomingMessage;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  // The edge already answered 100-continue; the upstream gets the body straight away.
  "expect",
  "content-length",
]);
/** What a re-signed request must not carry of the client's signature. */
const CLIENT_AUTH = new Set(["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]);
const PRESIGN_PARAM = /^x-amz-(algorithm|credential|date|expires|signedheaders|signature|security-token)$/i;

/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function responseHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined || (HOP_BY_HOP.has(k) && k !== "content-length")) continue;
    out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

export class Upstream {
  readonly base: URL;
  readonly timeoutMs: number;
  private readonly agent: HttpAgent;
  private readonly signers = new Map<string, SignatureV4>();

  constructor(
    readonly config: UpstreamConfig,
    defaultTimeoutSeconds: number,
  ) {
    this.base = new URL(config.url);
    this.timeoutMs = (config.timeoutSeconds ?? defaultTimeoutSeconds) * 1000;
    const Agent = this.base.protocol === "https:" ? HttpsAgent : HttpAgent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
  }

  get resigns(): boolean {
    return this.config.credentials !== undefined;
  }

  close(): void {
    this.agent.destroy();
  }

  /** Resolves with the upstream's status and headers; its body streams from `body`. */
  async forward(req: ForwardRequest): Promise<UpstreamResponse> {
    const prepared = await this.prepare(req);
    const send = this.base.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const out = send({
        protocol: this.base.protocol,
        hostname: this.base.hostname,
        port: this.base.port,
        method: req.method,
        path: prepared.path,
        headers: prepared.headers,
        agent: this.agent,
      });
      let failure: UpstreamFailure | undefined;
      const fail = (f: UpstreamFailure) => {
        failure ??= f;
        out.destroy(failure);
      };
      out.setTimeout(this.timeoutMs, () =>
        fail(new UpstreamFailure("timeout", `no answer within ${this.timeoutMs / 1000} s`)),
      );
      out.on("error", (e) => reject(failure ?? new UpstreamFailure("unreachable", e.message)));
      out.on("response", (res) => {
        res.on("error", () => undefined);
        resolve({ status: res.statusCode ?? 502, headers: responseHeaders(res), body: res });
      });
      if (Buffer.isBuffer(req.body)) {
        out.end(req.body);
        return;
      }
      pipeline(req.body, out, (e) => {
        if (e)
          fail(new UpstreamFailure(e instanceof PayloadHashMismatch ? "payload" : "unreachable", e.message));
      });
    });
  }

  private async prepare(req: ForwardRequest): Promise<{ path: string; headers: Record<string, string> }> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (HOP_BY_HOP.has(k) || (this.resigns && CLIENT_AUTH.has(k))) continue;
      headers[k] = v;
    }
    headers.host = this.base.host;
    const length = Buffer.isBuffer(req.body) ? req.body.length : req.contentLength;
    if (length !== undefined) headers["content-length"] = String(length);
    else headers["transfer-encoding"] = "chunked";
    const basePath = this.base.pathname.replace(/\/$/, "");
    const query = [...req.query].filter(([k]) => !(this.resigns && PRESIGN_PARAM.test(k)));
    const search = query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
    const path = `${basePath}${req.path}${search ? `?${search}` : ""}`;
    const creds = this.config.credentials;
    if (!creds) return { path, headers };
    if (req.payloadHash) headers["x-amz-content-sha256"] = req.payloadHash;
    else if (req.service === "s3" && Buffer.isBuffer(req.body))
      headers["x-amz-content-sha256"] = createHash("sha256").update(req.body).digest("hex");
    const signed = await this.signer(req.service, this.config.region ?? req.region).sign(
      new HttpRequest({
        method: req.method,
        protocol: this.base.protocol,
        hostname: this.base.hostname,
        port: this.base.port ? Number(this.base.port) : undefined,
        path: `${basePath}${req.path}`,
        query: Object.fromEntries(groupQuery(query)),
        headers,
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
      }),
    );
    return { path, headers: signed.headers as Record<string, string> };
  }

  private signer(service: string, region: string): SignatureV4 {
    const key = `${service}/${region}`;
    let signer = this.signers.get(key);
    if (!signer) {
      const creds = this.config.credentials;
      if (!creds) throw new Error("no upstream credentials");
      signer = new SignatureV4({
        service,
        region,
        credentials: creds,
        sha256: Hash.bind(null, "sha256"),
        uriEscapePath: service !== "s3",
        applyChecksum: false,
      });
      this.signers.set(key, signer);
    }
    return signer;
  }
}

function groupQuery(pairs: Array<[string, string]>): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  for (const [k, v] of pairs) {
    const prev = out.get(k);
    out.set(k, prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]);
  }
  return out;
}
