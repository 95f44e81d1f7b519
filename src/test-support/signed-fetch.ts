import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { ADMIN } from "./fixtures.js";

export interface SignedFetchOptions {
  service?: string;
  region?: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  creds?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  signingDate?: Date;
}

/** Sends a request signed exactly as the AWS SDKs sign, for the cases an SDK will not send. */
export async function signedFetch(baseUrl: string, opts: SignedFetchOptions = {}): Promise<Response> {
  const url = new URL(opts.path ?? "/", baseUrl);
  const body = opts.body ?? "";
  const request = new HttpRequest({
    method: opts.method ?? "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...opts.headers },
    body,
  });
  const signer = new SignatureV4({
    credentials: opts.creds ?? { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey },
    region: opts.region ?? "us-east-1",
    service: opts.service ?? "cloudtrail",
    sha256: Sha256,
    uriEscapePath: (opts.service ?? "cloudtrail") !== "s3",
  });
  const signed = await signer.sign(request, { signingDate: opts.signingDate });
  return fetch(url, {
    method: signed.method,
    headers: signed.headers as Record<string, string>,
    body: body || undefined,
  });
}

export const CLOUDTRAIL_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";

export function cloudTrailCall(
  baseUrl: string,
  operation: string,
  body: string | Buffer,
  extra: SignedFetchOptions = {},
) {
  return signedFetch(baseUrl, {
    ...extra,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `${CLOUDTRAIL_TARGET}.${operation}`,
      ...extra.headers,
    },
    body,
  });
}
