/**
 * Reading the SigV4 authentication data out of a request (Authorization header or presigned
 * query string) without verifying it. Every malformation becomes the AwsError AWS's JSON
 * front door answers; the query-protocol names (IncompleteSignature, ...) are derived from
 * these by the aws-query codec.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { AwsError, CommonErrors } from "./errors.js";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
export const SCOPE_TERMINATOR = "aws4_request";
/** AWS caps presigned URLs at one week. */
export const MAX_PRESIGN_EXPIRES_SECONDS = 604_800;

/** `<AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request`, split. */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

export interface ParsedSigV4 {
  form: "header" | "query";
  scope: CredentialScope;
  /** Lower-case header names, in the order the client listed them. */
  signedHeaders: string[];
  signature: string;
  /** The request time exactly as sent (`YYYYMMDDTHHMMSSZ`). */
  amzDate: string;
  /** Query form only: X-Amz-Expires in seconds. */
  expiresSeconds?: number;
}

type Headers = Record<string, string | undefined>;

/** Query parameters as a multi-map, the way URLSearchParams decodes them (`+` is a space). */
export function toSearchParams(query: URLSearchParams | string): URLSearchParams {
  return typeof query === "string" ? new URLSearchParams(query) : query;
}

/** True when the request carries any SigV4 material, in the header or the query string. */
export function hasSigV4Auth(headers: Headers, query: URLSearchParams): boolean {
  return (
    headers.authorization !== undefined ||
    query.has("X-Amz-Algorithm") ||
    query.has("X-Amz-Credential") ||
    query.has("X-Amz-Signature")
  );
}

/**
 * Parses the authentication data. Throws MissingAuthenticationTokenException when there is
 * none and IncompleteSignatureException when it is malformed.
 */
export function parseSigV4(headers: Headers, query: URLSearchParams): ParsedSigV4 {
  const authorization = headers.authorization;
  if (authorization !== undefined) return parseAuthorizationHeader(authorization, headers);
  if (hasSigV4Auth(headers, query)) return parsePresignedQuery(query);
  throw CommonErrors.missingAuthenticationToken();
}

/** The routing facts of a request's credential scope, read without any verification. */
export function signingScope(
  headers: Headers,
  query: URLSearchParams | string,
): { accessKeyId: string; region: string; service: string } | undefined {
  const credential =
    headers.authorization?.match(/Credential=([^,\s]+)/)?.[1] ??
    toSearchParams(query).get("X-Amz-Credential") ??
    undefined;
  const parts = credential?.split("/");
  if (parts?.length !== 5) return undefined;
  const [accessKeyId, , region, service] = parts;
  if (!accessKeyId || !region || !service) return undefined;
  return { accessKeyId, region, service };
}

function parseAuthorizationHeader(value: string, headers: Headers): ParsedSigV4 {
  const space = value.search(/\s/);
  const algorithm = space < 0 ? value : value.slice(0, space);
  const params = parseAuthParams(space < 0 ? "" : value.slice(space + 1));
  const credential = params.get("Credential");
  const signedHeaders = params.get("SignedHeaders");
  const signature = params.get("Signature");
  const amzDate = headers["x-amz-date"];
  const missing = [
    credential ? undefined : "Authorization header requires 'Credential' parameter.",
    signature ? undefined : "Authorization header requires 'Signature' parameter.",
    signedHeaders ? undefined : "Authorization header requires 'SignedHeaders' parameter.",
    amzDate || headers.date
      ? undefined
      : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  ].filter((m) => m !== undefined);
  if (missing.length > 0 || !credential || !signedHeaders || !signature) {
    throw CommonErrors.incompleteSignature(`${missing.join(" ")} Authorization=${value}`);
  }
  if (algorithm !== SIGV4_ALGORITHM) {
    throw CommonErrors.incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'`);
  }
  if (!amzDate) {
    // The Date-header-only variant is legal SigV4, but no AWS SDK or CLI sends it and the
    // SignatureV4 signer we recompute with always signs X-Amz-Date.
    throw CommonErrors.incompleteSignature(
      "OpenTrail requires the 'X-Amz-Date' header; requests signed with only the 'Date' header are not supported.",
    );
  }
  return {
    form: "header",
    scope: parseCredential(credential),
    signedHeaders: splitSignedHeaders(signedHeaders),
    signature,
    amzDate,
  };
}

function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    if (!params.has(key)) params.set(key, part.slice(eq + 1).trim());
  }
  return params;
}

const QUERY_AUTH_PARAMS = [
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Signature",
  "X-Amz-SignedHeaders",
  "X-Amz-Date",
  "X-Amz-Expires",
] as const;

function parsePresignedQuery(query: URLSearchParams): ParsedSigV4 {
  const missing = QUERY_AUTH_PARAMS.filter((name) => !query.get(name));
  if (missing.length > 0) {
    const parts = missing.map((name) => `AWS query-string parameters must include '${name}'.`);
    throw CommonErrors.incompleteSignature(`${parts.join(" ")} Re-examine the query-string parameters.`);
  }
  const value = (name: (typeof QUERY_AUTH_PARAMS)[number]) => query.get(name) ?? "";
  if (value("X-Amz-Algorithm") !== SIGV4_ALGORITHM) {
    throw CommonErrors.incompleteSignature(`X-Amz-Algorithm only supports "${SIGV4_ALGORITHM}"`);
  }
  return {
    form: "query",
    scope: parseCredential(value("X-Amz-Credential")),
    signedHeaders: splitSignedHeaders(value("X-Amz-SignedHeaders")),
    signature: value("X-Amz-Signature"),
    amzDate: value("X-Amz-Date"),
    expiresSeconds: parseExpires(value("X-Amz-Expires")),
  };
}

function parseExpires(text: string): number {
  if (!/^\d+$/.test(text)) throw CommonErrors.incompleteSignature("X-Amz-Expires should be a number");
  const seconds = Number(text);
  if (seconds > MAX_PRESIGN_EXPIRES_SECONDS) {
    throw CommonErrors.incompleteSignature(
      `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_EXPIRES_SECONDS}`,
    );
  }
  return seconds;
}

function splitSignedHeaders(list: string): string[] {
  return list.split(";").map((h) => h.trim().toLowerCase());
}

function parseCredential(credential: string): CredentialScope {
  const parts = credential.split("/");
  const [accessKeyId, date, region, service, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !date || !region || !service || !terminator) {
    throw CommonErrors.incompleteSignature(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  if (!/^\d{8}$/.test(date)) {
    throw CommonErrors.incompleteSignature(
      `Credential date must be in the form YYYYMMDD, got '${date}' in '${credential}'`,
    );
  }
  return { accessKeyId, date, region, service, terminator };
}

/**
 * Checks what can be checked about the scope before looking up the key: the terminator and
 * that the scope date is the day of X-Amz-Date. AWS answers both with a signature error.
 */
export function checkScope(parsed: ParsedSigV4): void {
  const { scope, amzDate } = parsed;
  if (scope.terminator !== SCOPE_TERMINATOR) {
    throw CommonErrors.invalidSignature(
      `Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${scope.terminator}'. `,
    );
  }
  if (scope.date !== amzDate.slice(0, 8)) {
    throw CommonErrors.invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
}

/** The last well-formed X-Amz-Date parsed: concurrent clients send the same one within a second. */
let lastAmzDate = { text: "", time: 0 };

/** Parses `YYYYMMDDTHHMMSSZ` strictly; a malformed value is an IncompleteSignatureException. */
export function parseAmzDate(text: string): Date {
  if (text === lastAmzDate.text) return new Date(lastAmzDate.time);
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const date = m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || formatAmzDate(date) !== text) {
    throw CommonErrors.incompleteSignature(
      `Date must be in ISO-8601 'basic format'. Got '${text}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  lastAmzDate = { text, time: date.getTime() };
  return date;
}

export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** Why a request fell outside its time window, for the services that say it in their own words. */
export type RequestWindow =
  | { kind: "skewed"; requestTime: string; serverTime: Date; maxSkewMs: number }
  | { kind: "expired"; expiresSeconds: number; expires: Date; serverTime: Date };

/**
 * A request outside its time window. The JSON and query services answer it as
 * InvalidSignatureException ("Signature expired: ...") or, for a presigned URL,
 * ExpiredTokenException; S3 has its own codes and details for it (server/wire-errors.ts).
 */
export class RequestTimeError extends AwsError {
  constructor(
    code: string,
    message: string,
    readonly window: RequestWindow,
  ) {
    super(code, message, 403);
  }
}

/**
 * The header form must be within `maxSkewMs` of now; a presigned URL is valid from its
 * X-Amz-Date (less the skew) until X-Amz-Date + X-Amz-Expires. Messages are AWS's, e.g.
 * "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)".
 */
export function checkRequestTime(parsed: ParsedSigV4, date: Date, now: Date, maxSkewMs: number): void {
  const minutes = `${maxSkewMs / 60_000} min.`;
  const earliest = new Date(now.getTime() - maxSkewMs);
  const latest = new Date(now.getTime() + maxSkewMs);
  const skewed = { kind: "skewed", requestTime: parsed.amzDate, serverTime: now, maxSkewMs } as const;
  if (date.getTime() > latest.getTime()) {
    throw new RequestTimeError(
      "InvalidSignatureException",
      `Signature not yet current: ${parsed.amzDate} is still later than ${formatAmzDate(latest)} (${formatAmzDate(now)} + ${minutes})`,
      skewed,
    );
  }
  if (parsed.form === "query") {
    const expiresSeconds = parsed.expiresSeconds ?? 0;
    const expires = new Date(date.getTime() + expiresSeconds * 1000);
    if (now.getTime() > expires.getTime()) {
      const { code, message } = CommonErrors.expiredToken();
      throw new RequestTimeError(code, message, {
        kind: "expired",
        expiresSeconds,
        expires,
        serverTime: now,
      });
    }
    return;
  }
  if (date.getTime() < earliest.getTime()) {
    throw new RequestTimeError(
      "InvalidSignatureException",
      `Signature expired: ${parsed.amzDate} is now earlier than ${formatAmzDate(earliest)} (${formatAmzDate(now)} - ${minutes})`,
      skewed,
    );
  }
}

/** S3 reports a body that does not match its declared hash with its own code; JSON services
 * see it as a signature that does not match. */
export function contentHashMismatch(service: string): AwsError {
  if (service === "s3") {
    return new AwsError(
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      400,
    );
  }
  return signatureMismatch();
}

export function signatureMismatch(): AwsError {
  return CommonErrors.invalidSignature(
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  );
}
