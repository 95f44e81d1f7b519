import { randomBytes } from "node:crypto";
import { storedContentEncoding } from "./aws-chunked.js";
import { CHECKSUM_ALGORITHMS } from "./checksums.js";
import { S3Errors } from "./errors.js";
import type { BucketRecord, ObjectMeta, ObjectVersion } from "./model.js";
import { httpDate, quoteEtag } from "./responses.js";

/**
 * Object metadata from request headers, and back to response headers.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html
 */
const MAX_USER_METADATA = 2048;
const DEFAULT_CONTENT_TYPE = "binary/octet-stream";

export function userMetadataFrom(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith("x-amz-meta-")) continue;
    const key = name.slice("x-amz-meta-".length);
    out[key] = value;
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > MAX_USER_METADATA) throw S3Errors.metadataTooLarge();
  return out;
}

/** Content and system metadata of a new object (not lock, not checksums). */
export function contentMetaFrom(headers: Record<string, string>, ownerAccountId: string): ObjectMeta {
  const sse = headers["x-amz-server-side-encryption"];
  if (sse !== undefined && !["AES256", "aws:kms", "aws:kms:dsse"].includes(sse)) {
    throw S3Errors.invalidArgument(
      "Server Side Encryption with unknown algorithm",
      "x-amz-server-side-encryption",
      sse,
    );
  }
  return {
    contentType: headers["content-type"] || DEFAULT_CONTENT_TYPE,
    contentEncoding: storedContentEncoding(headers["content-encoding"]),
    contentDisposition: headers["content-disposition"],
    contentLanguage: headers["content-language"],
    cacheControl: headers["cache-control"],
    expires: headers.expires,
    userMetadata: userMetadataFrom(headers),
    serverSideEncryption: sse ?? "AES256",
    sseKmsKeyId: headers["x-amz-server-side-encryption-aws-kms-key-id"],
    storageClass: headers["x-amz-storage-class"],
    acl: headers["x-amz-acl"],
    ownerAccountId,
  };
}

/**
 * `"null"` unless versioning is Enabled (S3's rule for unversioned and suspended buckets).
 * Otherwise 32 characters of S3's alphabet for version IDs (letters, digits, "." and "_"):
 * base64url's "-" becomes ".", since an ID starting with "-" is read by the AWS CLI as an
 * option (`--version-id -abc...` fails to parse).
 */
export function newVersionId(bucket: BucketRecord): string {
  return bucket.versioning === "Enabled"
    ? randomBytes(24).toString("base64url").replaceAll("-", ".")
    : "null";
}

function defined(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = v;
  return out;
}

/** Headers of a version in GetObject / HeadObject answers. */
export function objectHeaders(
  v: ObjectVersion,
  bucket: BucketRecord,
  withChecksums: boolean,
): Record<string, string> {
  const m = v.meta;
  const checksums: Record<string, string> = {};
  if (withChecksums && m.checksums) {
    for (const alg of CHECKSUM_ALGORITHMS) {
      const value = m.checksums[alg];
      if (value !== undefined) checksums[`x-amz-checksum-${alg}`] = value;
    }
    if (Object.keys(checksums).length) checksums["x-amz-checksum-type"] = "FULL_OBJECT";
  }
  const meta: Record<string, string> = {};
  for (const [k, val] of Object.entries(m.userMetadata)) meta[`x-amz-meta-${k}`] = val;
  return defined({
    "accept-ranges": "bytes",
    "last-modified": httpDate(v.lastModified),
    etag: quoteEtag(v.etag),
    "content-type": m.contentType,
    "content-encoding": m.contentEncoding,
    "content-disposition": m.contentDisposition,
    "content-language": m.contentLanguage,
    "cache-control": m.cacheControl,
    expires: m.expires,
    "x-amz-server-side-encryption": m.serverSideEncryption,
    "x-amz-server-side-encryption-aws-kms-key-id": m.sseKmsKeyId,
    "x-amz-storage-class": m.storageClass && m.storageClass !== "STANDARD" ? m.storageClass : undefined,
    "x-amz-version-id": bucket.versioning ? v.versionId : undefined,
    "x-amz-object-lock-mode": m.lockMode,
    "x-amz-object-lock-retain-until-date": m.lockUntil,
    "x-amz-object-lock-legal-hold": m.legalHold,
    "x-amz-mp-parts-count": m.partsCount === undefined ? undefined : String(m.partsCount),
    ...meta,
    ...checksums,
  });
}

/** Response-header overrides of GetObject (`response-content-type`, ...). */
export function responseOverrides(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [
    "content-type",
    "content-language",
    "expires",
    "cache-control",
    "content-disposition",
    "content-encoding",
  ]) {
    const v = query.get(`response-${name}`);
    if (v !== null) out[name] = v;
  }
  return out;
}
