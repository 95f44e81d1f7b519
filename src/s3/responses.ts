import { buildXml, type XmlElement } from "../protocol/rest-xml.js";
import type { RawResponse } from "../server/raw-http.js";

/** Small builders for S3 responses; the service adds x-amz-request-id and x-amz-id-2. */
export function xmlResponse(
  root: string,
  body: XmlElement,
  headers: Record<string, string> = {},
  status = 200,
): RawResponse {
  const xml = buildXml(root, body);
  return {
    status,
    headers: { "content-type": "application/xml", "content-length": String(xml.length), ...headers },
    body: xml,
  };
}

export function emptyResponse(status = 200, headers: Record<string, string> = {}): RawResponse {
  return { status, headers: { "content-length": "0", ...headers } };
}

/** S3's `Last-Modified` / `Date` format (RFC 7231). */
export function httpDate(d: Date): string {
  return d.toUTCString();
}

/** Quoted entity tag as S3 sends it. */
export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

export function unquoteEtag(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, "$1");
}

/** S3's canonical user id for an account (stable, opaque). */
export function ownerOf(accountId: string): XmlElement {
  return { ID: canonicalUserId(accountId), DisplayName: accountId };
}

export function canonicalUserId(accountId: string): string {
  return Buffer.from(accountId.padEnd(32, "0")).toString("hex");
}
