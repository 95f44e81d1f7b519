import { Sha256 } from "@aws-crypto/sha256-js";

/**
 * AWS Signature Version 4 in the browser, from a *derived* signing key: the console keeps
 * HMAC(…HMAC("AWS4"+secret, day)…, "aws4_request") for each service and the day, never the
 * secret itself. sha256-js rather than WebCrypto: SubtleCrypto exists only in secure contexts,
 * and OpenTrail is often reached over plain HTTP on a LAN address.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
const enc = new TextEncoder();

async function hmac(key: Uint8Array, data: string): Promise<Uint8Array> {
  const h = new Sha256(key);
  h.update(enc.encode(data));
  return h.digest();
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const h = new Sha256();
  h.update(typeof data === "string" ? enc.encode(data) : data);
  return hex(await h.digest());
}

export const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
export const unhex = (s: string) => new Uint8Array((s.match(/../g) ?? []).map((x) => Number.parseInt(x, 16)));

/** The day's signing key for one region and service (hex). */
export async function signingKey(
  secret: string,
  day: string,
  region: string,
  service: string,
): Promise<string> {
  let k = await hmac(enc.encode(`AWS4${secret}`), day);
  k = await hmac(k, region);
  k = await hmac(k, service);
  return hex(await hmac(k, "aws4_request"));
}

export interface SignInput {
  method: string;
  /** Path as sent (already percent-encoded). */
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export interface SigningKeyRef {
  accessKeyId: string;
  sessionToken?: string;
  region: string;
  service: string;
  day: string;
  key: string;
}

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Adds x-amz-date, x-amz-content-sha256, the token and Authorization to `input.headers`. */
export async function sign(input: SignInput, ref: SigningKeyRef, now: Date): Promise<Record<string, string>> {
  const amzDate = `${now.toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
  const day = amzDate.slice(0, 8);
  if (day !== ref.day) throw new Error("signing key expired");
  const payloadHash = await sha256Hex(input.body);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers["x-amz-date"] = amzDate;
  headers["x-amz-content-sha256"] = payloadHash;
  if (ref.sessionToken) headers["x-amz-security-token"] = ref.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names
    .map((n) => `${n}:${(headers[n] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const query = Object.entries(input.query ?? {})
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  // Every service but S3 encodes the already-encoded path once more.
  const path = ref.service === "s3" ? input.path : input.path.split("/").map(rfc3986).join("/");
  const signedHeaders = names.join(";");
  const canonical = [input.method, path, query, canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${day}/${ref.region}/${ref.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, await sha256Hex(canonical)].join("\n");
  const signature = hex(await hmac(unhex(ref.key), toSign));
  delete headers.host;
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${ref.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
