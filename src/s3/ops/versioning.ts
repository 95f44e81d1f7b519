import { S3_XMLNS, XML_INLINE, type XmlElement } from "../../protocol/rest-xml.js";
import type { OperationHandler } from "../call.js";
import { S3Errors } from "../errors.js";
import { type ListSource, listPage } from "../listing.js";
import type { VersioningStatus } from "../model.js";
import type { StoredVersion } from "../object-index.js";
import { emptyResponse, ownerOf, quoteEtag, xmlResponse } from "../responses.js";
import type { S3Runtime } from "../runtime.js";
import { listParams } from "./list-objects.js";
import { textField, xmlBody } from "./request-body.js";

/**
 * Put/GetBucketVersioning and ListObjectVersions.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html
 */
export const putBucketVersioning: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:PutBucketVersioning");
  const conf = xmlBody(call, "VersioningConfiguration");
  const status = textField(conf, "Status");
  if (status !== undefined && status !== "Enabled" && status !== "Suspended") throw S3Errors.malformedXml();
  call.audit.requestParameters.VersioningConfiguration = { Status: status ?? "", xmlns: S3_XMLNS };
  if (status === undefined) return emptyResponse(200);
  if (bucket.objectLockEnabled && status === "Suspended") {
    throw S3Errors.invalidBucketState(
      "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
    );
  }
  rt.index.updateBucket(bucket.name, { versioning: status as VersioningStatus });
  return emptyResponse(200);
};

export const getBucketVersioning: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:GetBucketVersioning");
  return xmlResponse("VersioningConfiguration", { Status: bucket.versioning });
};

function versionSource(rt: S3Runtime, bucket: string): ListSource<StoredVersion> {
  return {
    keyOf: (v) => v.key,
    fromKey: (key, inclusive, limit) => rt.index.listVersions(bucket, key, inclusive, limit),
    after: (v, limit) => {
      const sameKey = rt.index.olderVersions(bucket, v.key, v.seq, limit);
      return sameKey.length >= limit
        ? sameKey
        : [...sameKey, ...rt.index.listVersions(bucket, v.key, false, limit - sameKey.length)];
    },
  };
}

function versionEntry(v: StoredVersion, encode: (s: string) => string): XmlElement {
  const owner = ownerOf(v.meta.ownerAccountId ?? "");
  if (v.deleteMarker) {
    return {
      DeleteMarker: {
        Key: encode(v.key),
        VersionId: v.versionId,
        IsLatest: v.isLatest,
        LastModified: v.lastModified,
        Owner: owner,
      },
    };
  }
  return {
    Version: {
      Key: encode(v.key),
      VersionId: v.versionId,
      IsLatest: v.isLatest,
      LastModified: v.lastModified,
      ETag: quoteEtag(v.etag),
      Size: v.size,
      Owner: owner,
      StorageClass: v.meta.storageClass ?? "STANDARD",
    },
  };
}

export const listObjectVersions: OperationHandler = async (call, rt) => {
  const q = call.req.query;
  const bucket = rt.authorize(call, "s3:ListBucketVersions", undefined, {
    "s3:prefix": q.get("prefix") ?? undefined,
  });
  const p = listParams(call);
  call.audit.prefix = p.prefix;
  const keyMarker = q.get("key-marker") ?? "";
  const versionIdMarker = q.get("version-id-marker") || undefined;
  const resumeAfter =
    versionIdMarker && keyMarker ? rt.index.version(bucket.name, keyMarker, versionIdMarker) : undefined;
  if (versionIdMarker && !resumeAfter) {
    throw S3Errors.invalidArgument("Invalid version id specified", "version-id-marker", versionIdMarker);
  }
  const page = listPage(versionSource(rt, bucket.name), {
    prefix: p.prefix,
    delimiter: p.delimiter,
    marker: resumeAfter ? "" : keyMarker,
    resumeAfter,
    maxKeys: p.maxKeys,
  });
  const last = page.entries[page.entries.length - 1];
  const body: XmlElement = {
    Name: bucket.name,
    Prefix: p.encode(p.prefix),
    KeyMarker: p.encode(keyMarker),
    VersionIdMarker: versionIdMarker ?? "",
    NextKeyMarker:
      page.isTruncated && last ? p.encode("item" in last ? last.item.key : last.commonPrefix) : undefined,
    NextVersionIdMarker: page.isTruncated && last && "item" in last ? last.item.versionId : undefined,
    MaxKeys: p.maxKeys,
    Delimiter: p.delimiter === undefined ? undefined : p.encode(p.delimiter),
    EncodingType: p.encodingType,
    IsTruncated: page.isTruncated,
  };
  // Versions and delete markers interleave in key order, newest first within a key.
  body[XML_INLINE] = page.entries.flatMap((e) => ("item" in e ? [versionEntry(e.item, p.encode)] : []));
  body.CommonPrefixes = page.entries.flatMap((e) =>
    "commonPrefix" in e ? [{ Prefix: p.encode(e.commonPrefix) }] : [],
  );
  return xmlResponse("ListVersionsResult", body);
};
