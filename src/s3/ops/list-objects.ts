import type { XmlElement } from "../../protocol/rest-xml.js";
import type { OperationHandler, S3Call } from "../call.js";
import { S3Errors } from "../errors.js";
import { type ListEntry, type ListSource, listPage } from "../listing.js";
import type { StoredVersion } from "../object-index.js";
import { ownerOf, quoteEtag, xmlResponse } from "../responses.js";
import type { S3Runtime } from "../runtime.js";

/**
 * ListObjects (v1: marker, NextMarker only with a delimiter) and ListObjectsV2 (continuation
 * token, start-after, KeyCount). `encoding-type=url` URL-encodes keys and prefixes in the answer.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
 */
export interface ListParams {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  encode: (s: string) => string;
  encodingType?: string;
}

export function listParams(call: S3Call): ListParams {
  const q = call.req.query;
  const max = q.get("max-keys");
  const maxKeys = max === null ? 1000 : Number(max);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw S3Errors.invalidArgument(
      "Provided max-keys not an integer or within integer range",
      "max-keys",
      max ?? "",
    );
  }
  const encodingType = q.get("encoding-type") ?? undefined;
  if (encodingType !== undefined && encodingType !== "url") {
    throw S3Errors.invalidArgument(
      "Invalid Encoding Method specified in Request",
      "encoding-type",
      encodingType,
    );
  }
  const encode = encodingType === "url" ? urlEncode : (s: string) => s;
  return {
    prefix: q.get("prefix") ?? "",
    delimiter: q.get("delimiter") || undefined,
    maxKeys: Math.min(maxKeys, 1000),
    encode,
    encodingType,
  };
}

/** S3's `encoding-type=url`: percent-encoding that leaves `/` readable. */
export function urlEncode(s: string): string {
  return encodeURIComponent(s).replace(/%2F/g, "/");
}

function currentSource(rt: S3Runtime, bucket: string): ListSource<StoredVersion> {
  return {
    keyOf: (v) => v.key,
    fromKey: (key, inclusive, limit) => rt.index.listCurrent(bucket, key, inclusive, limit),
    after: (v, limit) => rt.index.listCurrent(bucket, v.key, false, limit),
  };
}

function contents(v: StoredVersion, p: ListParams, withOwner: boolean): XmlElement {
  return {
    Key: p.encode(v.key),
    LastModified: v.lastModified,
    ETag: quoteEtag(v.etag),
    ChecksumAlgorithm: Object.keys(v.meta.checksums ?? {}).map((a) => a.toUpperCase()),
    Size: v.size,
    Owner: withOwner ? ownerOf(v.meta.ownerAccountId ?? "") : undefined,
    StorageClass: v.meta.storageClass ?? "STANDARD",
  };
}

function split(entries: ListEntry<StoredVersion>[]) {
  const items = entries.flatMap((e) => ("item" in e ? [e.item] : []));
  const prefixes = entries.flatMap((e) => ("commonPrefix" in e ? [e.commonPrefix] : []));
  return { items, prefixes };
}

function lastName(entries: ListEntry<StoredVersion>[]): string | undefined {
  const last = entries[entries.length - 1];
  return last === undefined ? undefined : "item" in last ? last.item.key : last.commonPrefix;
}

export const listObjects: OperationHandler = async (call, rt) => {
  const q = call.req.query;
  const bucket = rt.authorize(call, "s3:ListBucket", undefined, {
    "s3:prefix": q.get("prefix") ?? undefined,
    "s3:delimiter": q.get("delimiter") ?? undefined,
    "s3:max-keys": q.get("max-keys") ?? undefined,
  });
  const p = listParams(call);
  call.audit.prefix = p.prefix;
  const marker = q.get("marker") ?? "";
  const page = listPage(currentSource(rt, bucket.name), {
    prefix: p.prefix,
    delimiter: p.delimiter,
    marker,
    maxKeys: p.maxKeys,
  });
  const { items, prefixes } = split(page.entries);
  const next = page.isTruncated && p.delimiter ? lastName(page.entries) : undefined;
  return xmlResponse("ListBucketResult", {
    Name: bucket.name,
    Prefix: p.encode(p.prefix),
    Marker: p.encode(marker),
    NextMarker: next === undefined ? undefined : p.encode(next),
    MaxKeys: p.maxKeys,
    Delimiter: p.delimiter === undefined ? undefined : p.encode(p.delimiter),
    EncodingType: p.encodingType,
    IsTruncated: page.isTruncated,
    Contents: items.map((v) => contents(v, p, true)),
    CommonPrefixes: prefixes.map((cp) => ({ Prefix: p.encode(cp) })),
  });
};

function decodeToken(token: string): string {
  const text = Buffer.from(token, "base64url").toString("utf8");
  if (!text.startsWith("v1:")) {
    throw S3Errors.invalidArgument(
      "The continuation token provided is incorrect",
      "continuation-token",
      token,
    );
  }
  return text.slice(3);
}

export const listObjectsV2: OperationHandler = async (call, rt) => {
  const q = call.req.query;
  const bucket = rt.authorize(call, "s3:ListBucket", undefined, {
    "s3:prefix": q.get("prefix") ?? undefined,
    "s3:delimiter": q.get("delimiter") ?? undefined,
    "s3:max-keys": q.get("max-keys") ?? undefined,
  });
  const p = listParams(call);
  call.audit.prefix = p.prefix;
  const token = q.get("continuation-token") ?? undefined;
  const startAfter = q.get("start-after") ?? undefined;
  const marker = token !== undefined ? decodeToken(token) : (startAfter ?? "");
  const page = listPage(currentSource(rt, bucket.name), {
    prefix: p.prefix,
    delimiter: p.delimiter,
    marker,
    maxKeys: p.maxKeys,
  });
  const { items, prefixes } = split(page.entries);
  const last = lastName(page.entries);
  const next =
    page.isTruncated && last !== undefined ? Buffer.from(`v1:${last}`).toString("base64url") : undefined;
  const withOwner = q.get("fetch-owner") === "true";
  return xmlResponse("ListBucketResult", {
    Name: bucket.name,
    Prefix: p.encode(p.prefix),
    StartAfter: startAfter === undefined ? undefined : p.encode(startAfter),
    ContinuationToken: token,
    NextContinuationToken: next,
    KeyCount: page.entries.length,
    MaxKeys: p.maxKeys,
    Delimiter: p.delimiter === undefined ? undefined : p.encode(p.delimiter),
    EncodingType: p.encodingType,
    IsTruncated: page.isTruncated,
    Contents: items.map((v) => contents(v, p, withOwner)),
    CommonPrefixes: prefixes.map((cp) => ({ Prefix: p.encode(cp) })),
  });
};
