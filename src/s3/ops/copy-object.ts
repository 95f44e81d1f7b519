import { bucketArn } from "../authorize.js";
import type { OperationHandler, S3Call } from "../call.js";
import { S3Errors } from "../errors.js";
import { lockForNewVersion } from "../lock-rules.js";
import type { BucketRecord, ObjectMeta } from "../model.js";
import { assertKey } from "../names.js";
import { contentMetaFrom } from "../object-meta.js";
import { quoteEtag, xmlResponse } from "../responses.js";
import { commitVersion, resolveVersion } from "../versions.js";

/**
 * CopyObject: `x-amz-copy-source: [/]bucket/key[?versionId=...]` (URL-encoded), metadata
 * copied (`COPY`, the default) or taken from the request (`REPLACE`). The copy gets its own
 * bytes on disk and the destination's default retention.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

export function parseCopySource(header: string): CopySource {
  const [path = "", query = ""] = header.split("?", 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ""));
  } catch {
    throw S3Errors.invalidArgument("Invalid copy source encoding", "x-amz-copy-source", header);
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw S3Errors.invalidArgument(
      "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
      "x-amz-copy-source",
      header,
    );
  }
  const versionId = new URLSearchParams(query).get("versionId") ?? undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

function sourceBucket(call: S3Call, name: string, rt: Parameters<OperationHandler>[1]): BucketRecord {
  const b = name === call.bucket ? call.bucketRecord : rt.index.getBucket(name);
  if (!b) throw S3Errors.noSuchBucket(name);
  return b;
}

export const copyObject: OperationHandler = async (call, rt) => {
  const key = call.key as string;
  const header = call.req.headers["x-amz-copy-source"] as string;
  const src = parseCopySource(header);
  assertKey(src.key);
  call.audit.requestParameters["x-amz-copy-source"] = header;
  const srcBucket = sourceBucket(call, src.bucket, rt);
  const readAction = src.versionId ? "s3:GetObjectVersion" : "s3:GetObject";
  if (!rt.check(call, srcBucket, readAction, src.key).allowed) throw S3Errors.accessDenied();
  const bucket = rt.authorize(call, "s3:PutObject", key);
  call.audit.resources.push({ type: "AWS::S3::Object", ARN: bucketArn(src.bucket, src.key) });
  const source = resolveVersion(rt, srcBucket.name, src.key, src.versionId);
  const replace = (call.req.headers["x-amz-metadata-directive"] ?? "COPY").toUpperCase() === "REPLACE";
  const sameObject = srcBucket.name === bucket.name && src.key === key && !src.versionId;
  const changes = ["x-amz-storage-class", "x-amz-server-side-encryption", "x-amz-website-redirect-location"];
  if (sameObject && !replace && !changes.some((h) => call.req.headers[h] !== undefined)) {
    throw S3Errors.invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const fresh = contentMetaFrom(call.req.headers, call.ctx.principal.accountId);
  const meta: ObjectMeta = replace
    ? fresh
    : {
        ...source.meta,
        serverSideEncryption: fresh.serverSideEncryption,
        acl: fresh.acl,
        ownerAccountId: fresh.ownerAccountId,
      };
  const lock = lockForNewVersion(call.req.headers, bucket, call.ctx.receivedAt);
  const blob = source.blob ? await rt.blobs.write(() => rt.blobs.chunks(source.blob as string)) : undefined;
  const v = await commitVersion(rt, bucket, key, {
    blob,
    size: source.size,
    etag: source.etag,
    meta: { ...meta, lockMode: lock.lockMode, lockUntil: lock.lockUntil, legalHold: lock.legalHold },
  });
  const headers: Record<string, string> = {
    "x-amz-server-side-encryption": meta.serverSideEncryption ?? "AES256",
  };
  if (bucket.versioning) headers["x-amz-version-id"] = v.versionId;
  if (srcBucket.versioning) headers["x-amz-copy-source-version-id"] = source.versionId;
  call.audit.responseElements = { ...headers };
  return xmlResponse("CopyObjectResult", { LastModified: v.lastModified, ETag: quoteEtag(v.etag) }, headers);
};
