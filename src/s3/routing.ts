import type { RawRequest } from "../server/raw-http.js";
import { S3Errors } from "./errors.js";

/**
 * Which bucket and key a request addresses (virtual-hosted or path style) and which S3
 * operation it is, from method, subresources and headers.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
export interface S3Address {
  bucket?: string;
  key?: string;
  style: "path" | "virtual";
}

const VIRTUAL_HOSTS = [
  /^(.+)\.s3[.-]([a-z0-9-]+)\.amazonaws\.com$/,
  /^(.+)\.s3\.amazonaws\.com$/,
  /^(.+)\.s3\.dualstack\.([a-z0-9-]+)\.amazonaws\.com$/,
  /^(.+)\.localhost$/,
];

/** The bucket named by a Host header, for virtual-hosted-style requests. */
export function bucketFromHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const name = host.replace(/:\d+$/, "").toLowerCase();
  for (const re of VIRTUAL_HOSTS) {
    const m = re.exec(name);
    if (m?.[1] && !m[1].startsWith("s3.") && m[1] !== "s3") return m[1];
  }
  return undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw S3Errors.invalidUri();
  }
}

export function parseAddress(rawPath: string, host: string | undefined): S3Address {
  const path = rawPath.startsWith("/") ? rawPath.slice(1) : rawPath;
  const virtual = bucketFromHost(host);
  if (virtual !== undefined)
    return { bucket: virtual, key: path === "" ? undefined : decode(path), style: "virtual" };
  if (path === "") return { style: "path" };
  const slash = path.indexOf("/");
  if (slash < 0) return { bucket: decode(path), style: "path" };
  const key = path.slice(slash + 1);
  return { bucket: decode(path.slice(0, slash)), key: key === "" ? undefined : decode(key), style: "path" };
}

/** Subresources S3 has that OpenTrail does not implement (answered with 501 NotImplemented). */
const UNSUPPORTED_BUCKET: Record<string, string> = {
  accelerate: "BucketAccelerateConfiguration",
  analytics: "BucketAnalyticsConfiguration",
  cors: "BucketCors",
  encryption: "BucketEncryption",
  "intelligent-tiering": "BucketIntelligentTieringConfiguration",
  inventory: "BucketInventoryConfiguration",
  lifecycle: "BucketLifecycle",
  logging: "BucketLogging",
  metrics: "BucketMetricsConfiguration",
  notification: "BucketNotification",
  ownershipControls: "BucketOwnershipControls",
  policyStatus: "BucketPolicyStatus",
  publicAccessBlock: "BucketPublicAccessBlock",
  replication: "BucketReplication",
  requestPayment: "BucketRequestPayment",
  tagging: "BucketTagging",
  website: "BucketWebsite",
};
const UNSUPPORTED_OBJECT: Record<string, string> = {
  acl: "ObjectAcl",
  attributes: "ObjectAttributes",
  restore: "RestoreObject",
  select: "SelectObjectContent",
  tagging: "ObjectTagging",
  torrent: "ObjectTorrent",
};

const VERB: Record<string, string> = { GET: "Get", PUT: "Put", DELETE: "Delete", HEAD: "Get", POST: "Post" };

function unsupported(
  method: string,
  table: Record<string, string>,
  query: URLSearchParams,
): string | undefined {
  for (const [sub, name] of Object.entries(table)) {
    if (query.has(sub))
      return name.startsWith("Bucket") || name.startsWith("Object") ? `${VERB[method]}${name}` : name;
  }
  return undefined;
}

function serviceOperation(method: string): string {
  if (method === "GET") return "ListBuckets";
  throw S3Errors.methodNotAllowed(method, "SERVICE");
}

function bucketOperation(method: string, q: URLSearchParams): string {
  const simple: Record<string, Record<string, string>> = {
    GET: {
      location: "GetBucketLocation",
      policy: "GetBucketPolicy",
      versioning: "GetBucketVersioning",
      "object-lock": "GetObjectLockConfiguration",
      versions: "ListObjectVersions",
      uploads: "ListMultipartUploads",
      acl: "GetBucketAcl",
    },
    PUT: {
      policy: "PutBucketPolicy",
      versioning: "PutBucketVersioning",
      "object-lock": "PutObjectLockConfiguration",
      acl: "PutBucketAcl",
    },
    DELETE: { policy: "DeleteBucketPolicy" },
    POST: { delete: "DeleteObjects" },
  };
  for (const [sub, op] of Object.entries(simple[method] ?? {})) if (q.has(sub)) return op;
  const other = unsupported(method, UNSUPPORTED_BUCKET, q);
  if (other) return other;
  switch (method) {
    case "GET":
      return q.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
    case "PUT":
      return "CreateBucket";
    case "HEAD":
      return "HeadBucket";
    case "DELETE":
      return "DeleteBucket";
    default:
      throw S3Errors.methodNotAllowed(method, "BUCKET");
  }
}

function objectOperation(method: string, q: URLSearchParams, headers: Record<string, string>): string {
  const upload = q.has("uploadId");
  switch (method) {
    case "PUT":
      if (upload && q.has("partNumber"))
        return headers["x-amz-copy-source"] ? "UploadPartCopy" : "UploadPart";
      if (q.has("retention")) return "PutObjectRetention";
      if (q.has("legal-hold")) return "PutObjectLegalHold";
      return (
        unsupported(method, UNSUPPORTED_OBJECT, q) ??
        (headers["x-amz-copy-source"] ? "CopyObject" : "PutObject")
      );
    case "GET":
      if (upload) return "ListParts";
      if (q.has("retention")) return "GetObjectRetention";
      if (q.has("legal-hold")) return "GetObjectLegalHold";
      return unsupported(method, UNSUPPORTED_OBJECT, q) ?? "GetObject";
    case "HEAD":
      return "HeadObject";
    case "DELETE":
      if (upload) return "AbortMultipartUpload";
      return unsupported(method, UNSUPPORTED_OBJECT, q) ?? "DeleteObject";
    case "POST":
      if (q.has("uploads")) return "CreateMultipartUpload";
      if (upload) return "CompleteMultipartUpload";
      return unsupported(method, UNSUPPORTED_OBJECT, q) ?? "PostObject";
    default:
      throw S3Errors.methodNotAllowed(method, "OBJECT");
  }
}

/** The S3 operation name (as in the API reference) for a request. */
export function resolveOperation(req: RawRequest, address: S3Address): string {
  const method = req.method.toUpperCase();
  if (address.bucket === undefined) return serviceOperation(method);
  if (address.key === undefined) return bucketOperation(method, req.query);
  return objectOperation(method, req.query, req.headers);
}
