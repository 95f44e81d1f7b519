import { keyFor, type Service, type Session, utcDay } from "./session.js";
import { sign } from "./sigv4.js";

/** Why a call failed, for a plain message: the server is unreachable, refused the credentials, or said no. */
export type FailureKind = "network" | "auth" | "expired" | "api";

export class ApiError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }

  /** The sentence shown to a person. */
  explain(): string {
    switch (this.kind) {
      case "network":
        return `Cannot reach the OpenTrail server at ${location.host}: it may be stopped or unreachable. (${this.message})`;
      case "expired":
        return "Your sign-in has expired (the console's signing keys last until the end of the UTC day). Sign in again.";
      case "auth":
        return `The server refused your credentials (${this.code}): ${this.message} Sign in again with a valid access key.`;
      default:
        return `${this.code}: ${this.message}`;
    }
  }
}

const AUTH_CODES = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "InvalidClientTokenId",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidAccessKeyId",
  "MissingAuthenticationToken",
  "RequestExpired",
]);

let current: Session | undefined;
/** Called when a call fails for its credentials (the app shows the sign-in form). */
let onAuthFailure: (e: ApiError) => void = () => {};

export function useSession(s: Session | undefined, authFailure?: (e: ApiError) => void): void {
  current = s;
  if (authFailure) onAuthFailure = authFailure;
}

interface Call {
  service: Service;
  method: string;
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

async function send(call: Call, session = current): Promise<Response> {
  if (!session) throw new ApiError("expired", "NotSignedIn", "Not signed in.");
  const now = new Date();
  if (utcDay(now) !== session.day) {
    const e = new ApiError("expired", "SigningKeyExpired", "The day's signing keys have expired.");
    onAuthFailure(e);
    throw e;
  }
  const headers = await sign(
    {
      method: call.method,
      path: call.path,
      query: call.query,
      headers: Object.assign({ host: location.host }, call.headers),
      body: call.body,
    },
    keyFor(session, call.service),
    now,
  );
  const qs = new URLSearchParams(call.query ?? {}).toString();
  try {
    return await fetch(call.path + (qs ? `?${qs}` : ""), {
      method: call.method,
      headers,
      body: call.method === "GET" || call.method === "HEAD" ? undefined : call.body,
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError("network", "NetworkError", e instanceof Error ? e.message : String(e));
  }
}

function failure(status: number, code: string, message: string): ApiError {
  const auth = AUTH_CODES.has(code) || /signature expired|security token/i.test(message);
  const e = new ApiError(
    auth ? "auth" : "api",
    code || `HTTP ${status}`,
    message || `HTTP ${status}`,
    status,
  );
  if (auth) onAuthFailure(e);
  return e;
}

/** One CloudTrail JSON 1.1 call; times in the output are epoch seconds, as on the wire. */
export async function cloudtrail<T = Record<string, unknown>>(
  operation: string,
  input: object = {},
  session?: Session,
): Promise<T> {
  const res = await send(
    {
      service: "cloudtrail",
      method: "POST",
      path: "/",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.${operation}`,
      },
      body: JSON.stringify(input),
    },
    session,
  );
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw failure(res.status, "", text.slice(0, 200));
  }
  if (!res.ok) {
    const type = String(json.__type ?? res.headers.get("x-amzn-errortype") ?? "");
    const code = type.split("#").pop()?.split(":")[0] ?? "";
    throw failure(res.status, code, String(json.message ?? json.Message ?? ""));
  }
  return json as T;
}

function xmlText(doc: Document, tag: string): string {
  return doc.getElementsByTagName(tag)[0]?.textContent ?? "";
}

/** STS GetCallerIdentity: proves the key pair and names the caller. */
export async function callerIdentity(session: Session): Promise<{ arn: string; account: string }> {
  const res = await send(
    {
      service: "sts",
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    },
    session,
  );
  const doc = new DOMParser().parseFromString(await res.text(), "application/xml");
  if (!res.ok) throw failure(res.status, xmlText(doc, "Code"), xmlText(doc, "Message"));
  return { arn: xmlText(doc, "Arn"), account: xmlText(doc, "Account") };
}

/** One S3 REST call (path-style) on the built-in store; answers the response text. */
export async function s3(
  method: string,
  path: string,
  query: Record<string, string> = {},
  body = "",
): Promise<string> {
  const res = await send({ service: "s3", method, path, query, headers: {}, body });
  const text = await res.text();
  if (!res.ok) {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    throw failure(res.status, xmlText(doc, "Code"), xmlText(doc, "Message"));
  }
  return text;
}

/** Every page of a paginated CloudTrail call, up to `limit` items. */
export async function allPages<T>(
  operation: string,
  input: Record<string, unknown>,
  items: (out: Record<string, unknown>) => T[],
  limit = 10_000,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await cloudtrail(operation, Object.assign({}, input, token ? { NextToken: token } : {}));
    out.push(...items(page));
    token = page.NextToken as string | undefined;
  } while (token && out.length < limit);
  return out.slice(0, limit);
}
