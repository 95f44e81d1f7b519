/**
 * Shared by the SigV4 tests: keys, a lookup, and requests signed and presigned exactly as the
 * AWS SDK signs them (SignatureV4), converted to what the server receives.
 */
import assert from "node:assert/strict";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsError } from "./errors.js";
import { type SigningCredentials, type SigV4Request, type VerifyOptions, verifySigV4 } from "./sigv4.js";

export const KEY = {
  accessKeyId: "AKIAEXAMPLEKEY000001",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
export const TEMP = {
  accessKeyId: "ASIAEXAMPLEKEY000002",
  secretAccessKey: "tempSecretKey/0000000000000000000000000",
  sessionToken: "OTSTsession+token/with=chars",
};
export const SIGNED_AT = new Date("2024-01-01T00:10:00Z");
export const NOW = SIGNED_AT;
export const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

export function lookup(id: string): SigningCredentials | undefined {
  if (id === KEY.accessKeyId) return { secretAccessKey: KEY.secretAccessKey };
  if (id === TEMP.accessKeyId) {
    return { ...TEMP, expiration: new Date("2024-01-01T01:00:00Z") };
  }
  return undefined;
}

/** escapeUri as the AWS SDK's query-string builder applies it. */
export function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The parts of a smithy HttpRequest that reach the wire. */
export interface SmithyRequest {
  method: string;
  path: string;
  query?: Record<string, string | Array<string | null> | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** The request as it leaves an SDK client: path as-is, query built like @smithy/querystring-builder. */
export function onTheWire(req: SmithyRequest): SigV4Request {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(req.query ?? {})) {
    for (const value of Array.isArray(v) ? v : [v]) {
      parts.push(value === null ? escapeUri(k) : `${escapeUri(k)}=${escapeUri(value ?? "")}`);
    }
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body as string | Uint8Array);
  return { method: req.method, rawPath: req.path, query: parts.join("&"), headers, body };
}

export interface SignOptions {
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  service?: string;
  region?: string;
  creds?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  date?: Date;
  uriEscapePath?: boolean;
}

export function request(o: SignOptions): HttpRequest {
  return new HttpRequest({
    method: o.method ?? "POST",
    protocol: "https:",
    hostname: "localhost",
    port: 4580,
    path: o.path ?? "/",
    query: o.query ?? {},
    headers: { host: "localhost:4580", ...o.headers },
    body: o.body ?? "",
  });
}

export function signer(o: SignOptions): SignatureV4 {
  const service = o.service ?? "cloudtrail";
  return new SignatureV4({
    credentials: o.creds ?? KEY,
    region: o.region ?? "us-east-1",
    service,
    sha256: Sha256,
    uriEscapePath: o.uriEscapePath ?? service !== "s3",
  });
}

export async function signed(o: SignOptions = {}): Promise<SigV4Request> {
  return onTheWire(await signer(o).sign(request(o), { signingDate: o.date ?? SIGNED_AT }));
}

/**
 * Presigns as the SDKs do. S3 presigned URLs cover UNSIGNED-PAYLOAD: the SDK v3 S3 presigner
 * passes it as a header that presign() hoists into the query ("hoisted"); botocore keeps it out
 * of the URL, emulated here by an unhoistable, unsigned header ("botocore").
 */
export async function presigned(
  o: SignOptions & { expiresIn?: number; unsignedPayload?: "hoisted" | "botocore" } = {},
): Promise<SigV4Request> {
  const s3 = (o.service ?? "cloudtrail") === "s3";
  const style = o.unsignedPayload ?? (s3 ? "botocore" : undefined);
  const headers = style ? { ...o.headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } : o.headers;
  const keep = style === "botocore" ? new Set(["x-amz-content-sha256"]) : undefined;
  const req = await signer(o).presign(request({ method: "GET", ...o, headers }), {
    signingDate: o.date ?? SIGNED_AT,
    expiresIn: o.expiresIn ?? 900,
    unhoistableHeaders: keep,
    unsignableHeaders: keep,
  });
  const wire = onTheWire(req);
  if (style === "botocore") delete wire.headers["x-amz-content-sha256"];
  return wire;
}

export function verify(req: SigV4Request, opts: VerifyOptions = {}) {
  return verifySigV4(req, lookup, { now: NOW, ...opts });
}

export async function rejects(
  p: Promise<unknown>,
  code: string,
  message?: string | RegExp,
  status = 403,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    if (typeof message === "string") assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

export const JSON_CALL: SignOptions = {
  headers: {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
  },
  body: '{"MaxResults":5}',
};
