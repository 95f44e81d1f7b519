/**
 * SigV4 verification. The canonical request is never built by hand: the request is rebuilt with
 * only the headers the client signed and canonicalized by `@smithy/signature-v4` (the AWS SDK's
 * own signer) exactly as its sign() and presign() do; the signature computed from it with the
 * same credentials, date, region and service is then compared in constant time.
 *
 * Check order (each failure is the AwsError AWS's JSON front door answers, status 403 unless
 * noted): missing auth → MissingAuthenticationTokenException; malformed header, query or date →
 * IncompleteSignatureException; bad scope terminator or scope date → InvalidSignatureException;
 * request time outside the skew window → InvalidSignatureException ("Signature expired: ...");
 * expired presigned URL → ExpiredTokenException; unknown or inactive key, a session token that
 * is missing or does not match → UnrecognizedClientException; expired session credentials →
 * ExpiredTokenException; wrong signature → InvalidSignatureException; a body that does not match
 * a hex x-amz-content-sha256 → XAmzContentSHA256Mismatch (400) for s3, InvalidSignatureException
 * otherwise.
 */
import { hash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { GENERATED_HEADERS, SignatureV4 } from "@smithy/signature-v4";
import { CommonErrors } from "./errors.js";
import { type ChunkSigning, chunkSigning, isSignedStreaming } from "./sigv4-chunks.js";
import { canonicalRequest, headerFormSignature } from "./sigv4-header-form.js";
import {
  checkRequestTime,
  checkScope,
  contentHashMismatch,
  type ParsedSigV4,
  parseAmzDate,
  parseSigV4,
  signatureMismatch,
  toSearchParams,
} from "./sigv4-parse.js";

export { formatAmzDate, signingScope } from "./sigv4-parse.js";

export interface SigV4Request {
  method: string;
  /** Path exactly as sent, still percent-encoded, without the query string. */
  rawPath: string;
  /** Decoded query parameters, or the raw query string (with or without the leading `?`). */
  query: URLSearchParams | string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface SigningCredentials {
  secretAccessKey: string;
  /** Present for temporary credentials: the request must carry exactly this token. */
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialLookup = (
  accessKeyId: string,
) => SigningCredentials | undefined | Promise<SigningCredentials | undefined>;

export interface VerifyOptions {
  now?: Date;
  /** How far X-Amz-Date may be from now. Default 5 minutes, the window most AWS JSON services
   * apply ("... - 5 min."); STS and S3 allow 15 minutes. */
  maxSkewMs?: number;
  /** Double-encode the path in the canonical request. Default: true, except for service s3. */
  uriEscapePath?: boolean;
  /**
   * The body is streamed past the verifier (the audit gateway's large uploads): the signature is
   * checked against the declared x-amz-content-sha256 alone, and a hex declared hash must be
   * checked by the caller while it streams the body. A request without a declared hash is refused.
   */
  deferPayloadCheck?: boolean;
}

export interface VerifiedSigV4 {
  accessKeyId: string;
  region: string;
  service: string;
  signedHeaders: string[];
  date: Date;
  /** The payload hash the signature covers: a hex SHA-256, UNSIGNED-PAYLOAD or STREAMING-*. */
  payloadHash: string;
  /**
   * STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: the signature covered the headers only, and
   * whoever decodes the body must check its chunk signatures with this (sigv4-chunks.ts).
   */
  chunkSigning?: ChunkSigning;
}

export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const CONTENT_SHA256 = "x-amz-content-sha256";

export async function verifySigV4(
  req: SigV4Request,
  lookup: CredentialLookup,
  opts: VerifyOptions = {},
): Promise<VerifiedSigV4> {
  const query = toSearchParams(req.query);
  const parsed = parseSigV4(req.headers, query);
  const date = parseAmzDate(parsed.amzDate);
  checkScope(parsed);
  const now = opts.now ?? new Date();
  checkRequestTime(parsed, date, now, opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);

  const { accessKeyId, region, service } = parsed.scope;
  const credentials = await lookup(accessKeyId);
  if (!credentials) throw CommonErrors.unrecognizedClient();
  checkSessionToken(credentials, query.get("X-Amz-Security-Token") ?? req.headers["x-amz-security-token"]);
  if (credentials.expiration && now.getTime() >= credentials.expiration.getTime()) {
    throw CommonErrors.expiredToken();
  }

  const declared = declaredPayloadHash(parsed, req, query);
  if (!declared && opts.deferPayloadCheck) {
    throw CommonErrors.incompleteSignature("A streamed request must declare x-amz-content-sha256.");
  }
  // The body is hashed at most once, and not at all when the signature covers a declared hash.
  let bodyHashed: string | undefined;
  const bodyHash = () => {
    bodyHashed ??= sha256Hex(req.body);
    return bodyHashed;
  };
  const payloadHash = declared ?? bodyHash();
  const signing: SigningInput = {
    req,
    query,
    parsed,
    date,
    secretAccessKey: credentials.secretAccessKey,
    payloadHash,
    uriEscapePath: opts.uriEscapePath ?? service !== "s3",
  };
  const expected =
    parsed.form === "header" ? await headerSignature(signing, bodyHash) : await presignedSignature(signing);
  if (!constantTimeEqual(expected, parsed.signature)) throw signatureMismatch();
  const hexDeclared = declared !== undefined && /^[0-9a-f]{64}$/i.test(declared);
  if (hexDeclared && !opts.deferPayloadCheck && declared.toLowerCase() !== bodyHash()) {
    throw contentHashMismatch(service);
  }
  const verified: VerifiedSigV4 = {
    accessKeyId,
    region,
    service,
    signedHeaders: parsed.signedHeaders,
    date,
    payloadHash,
  };
  if (isSignedStreaming(payloadHash)) {
    const scope = {
      accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      shortDate: parsed.scope.date,
      longDate: parsed.amzDate,
      region,
      service,
    };
    verified.chunkSigning = await chunkSigning(scope, parsed.signature, payloadHash);
  }
  return verified;
}

/** Temporary keys need their own token; long-term keys must not carry one. */
function checkSessionToken(credentials: SigningCredentials, provided: string | undefined): void {
  const expected = credentials.sessionToken;
  const ok = expected === undefined ? provided === undefined : constantTimeEqual(expected, provided ?? "");
  if (!ok) throw CommonErrors.unrecognizedClient();
}

/**
 * x-amz-content-sha256 (header, or hoisted into a presigned query) is taken as declared, and a
 * presigned S3 URL without it covers UNSIGNED-PAYLOAD. Undefined: the signature covers the
 * body's own hash.
 */
function declaredPayloadHash(
  parsed: ParsedSigV4,
  req: SigV4Request,
  query: URLSearchParams,
): string | undefined {
  const fromQuery =
    query.size === 0 ? undefined : [...query.keys()].find((k) => k.toLowerCase() === CONTENT_SHA256);
  const declared = (fromQuery && query.get(fromQuery)) || req.headers[CONTENT_SHA256];
  if (declared) return declared;
  if (parsed.form === "query" && parsed.scope.service === "s3") return UNSIGNED_PAYLOAD;
  return undefined;
}

interface SigningInput {
  req: SigV4Request;
  query: URLSearchParams;
  parsed: ParsedSigV4;
  date: Date;
  secretAccessKey: string;
  payloadHash: string;
  uriEscapePath: boolean;
}

function signerFor(input: SigningInput): SignatureV4 {
  const { accessKeyId, region, service } = input.parsed.scope;
  return new SignatureV4({
    service,
    region,
    // No session token here: SignatureV4 would add it as a header or query parameter
    // whether or not the client signed it. The token is checked separately.
    credentials: { accessKeyId, secretAccessKey: input.secretAccessKey },
    // Node's native SHA-256 (OpenSSL), several times faster than the pure-JS one per request.
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: input.uriEscapePath,
    applyChecksum: false,
  });
}

/** The values of the headers the client signed, added to `into`, less those `skip` names. */
function signedHeaderValues(
  input: SigningInput,
  into: Record<string, string>,
  skip?: readonly string[],
): Record<string, string> {
  for (const name of input.parsed.signedHeaders) {
    const value = input.req.headers[name];
    if (value !== undefined && !skip?.includes(name)) into[name] = value;
  }
  return into;
}

/** The request as the client signed it: its signed headers only, its path and query. */
function rebuildRequest(input: SigningInput, extraHeaders: Record<string, string> = {}): HttpRequest {
  const headers = signedHeaderValues(input, Object.assign({}, extraHeaders));
  return new HttpRequest({
    method: input.req.method,
    protocol: "https:",
    hostname: input.req.headers.host ?? "localhost",
    path: input.req.rawPath || "/",
    query: queryRecord(input.query),
    headers,
    body: input.req.body,
  });
}

/**
 * The header form, on every API call: signRequest()'s canonical request (its generated headers
 * dropped, X-Amz-Date set, the payload hash a signed x-amz-content-sha256 or else the body's),
 * signed with a cached signing key (see sigv4-header-form.ts).
 */
function headerSignature(input: SigningInput, bodyHash: () => string): Promise<string> {
  const headers = signedHeaderValues(input, {}, GENERATED_HEADERS);
  headers["x-amz-date"] = input.parsed.amzDate;
  const payloadHash = headers[CONTENT_SHA256] ?? bodyHash();
  const { accessKeyId, date, region, service } = input.parsed.scope;
  const canonical = canonicalRequest(
    { method: input.req.method, path: input.req.rawPath || "/", query: queryRecord(input.query), headers },
    new Set(input.parsed.signedHeaders),
    payloadHash,
    input.uriEscapePath,
  );
  return headerFormSignature(canonical, {
    accessKeyId,
    secretAccessKey: input.secretAccessKey,
    shortDate: date,
    longDate: input.parsed.amzDate,
    region,
    service,
  });
}

async function presignedSignature(input: SigningInput): Promise<string> {
  const signedHeaders = new Set(input.parsed.signedHeaders);
  // presign() takes the payload hash from an x-amz-content-sha256 header. Pass ours that way,
  // kept out of the query (unhoistable) and out of the canonical headers unless it was signed.
  // Signed x-amz-* headers stay headers too: hoisting them would change the canonical query.
  const request = rebuildRequest(input, { [CONTENT_SHA256]: input.payloadHash });
  const unhoistable = new Set([CONTENT_SHA256, ...[...signedHeaders].filter((h) => h.startsWith("x-amz-"))]);
  const presigned = await signerFor(input).presign(request, {
    signingDate: input.date,
    expiresIn: input.parsed.expiresSeconds ?? 0,
    signableHeaders: signedHeaders,
    unsignableHeaders: signedHeaders.has(CONTENT_SHA256) ? new Set() : new Set([CONTENT_SHA256]),
    unhoistableHeaders: unhoistable,
  });
  const signature = presigned.query?.["X-Amz-Signature"];
  return typeof signature === "string" ? signature : "";
}

/** Query parameters as smithy's HttpRequest holds them: a repeated key maps to all its values. */
function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (params.size === 0) return query;
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? (values[0] ?? "") : values;
  }
  return query;
}

function sha256Hex(body: Buffer): string {
  return hash("sha256", body, "hex");
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
