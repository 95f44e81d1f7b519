import type { XmlElement } from "../../protocol/rest-xml.js";
import { xmlList, xmlText } from "../../protocol/rest-xml.js";
import type { OperationHandler, S3Call } from "../call.js";
import { md5Hex, verifyChecksums, verifyContentMd5 } from "../checksums.js";
import { S3Error, S3Errors } from "../errors.js";
import { assertDeletable } from "../lock-rules.js";
import type { BucketRecord } from "../model.js";
import { MAX_KEY_BYTES } from "../names.js";
import { emptyResponse, xmlResponse } from "../responses.js";
import type { S3Runtime } from "../runtime.js";
import { commitVersion } from "../versions.js";
import { xmlBody } from "./request-body.js";

/**
 * DeleteObject and DeleteObjects. Without a version id: an unversioned bucket loses the
 * object, a versioned one gets a delete marker (all versions stay). With a version id the
 * version is removed for good, unless Object Lock holds it (AccessDenied).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
 */
interface DeleteOutcome {
  versionId?: string;
  deleteMarker?: boolean;
  deleteMarkerVersionId?: string;
}

async function deleteOne(
  call: S3Call,
  rt: S3Runtime,
  bucket: BucketRecord,
  key: string,
  versionId: string | undefined,
): Promise<DeleteOutcome> {
  if (versionId !== undefined) {
    const v = rt.index.version(bucket.name, key, versionId);
    if (!v) return { versionId };
    // Check and removal happen with no await in between: nothing can slip in.
    assertDeletable(call, rt, bucket, v);
    rt.index.removeVersion(v);
    await rt.blobs.remove([v.blob]);
    return { versionId, deleteMarker: v.deleteMarker || undefined };
  }
  if (bucket.versioning === undefined) {
    const v = rt.index.latest(bucket.name, key);
    if (v) {
      rt.index.removeVersion(v);
      await rt.blobs.remove([v.blob]);
    }
    return {};
  }
  const marker = await commitVersion(rt, bucket, key, {
    size: 0,
    etag: "",
    meta: { userMetadata: {}, ownerAccountId: call.ctx.principal.accountId },
    deleteMarker: true,
  });
  return { deleteMarker: true, deleteMarkerVersionId: marker.versionId };
}

function deleteAction(versionId: string | undefined): string {
  return versionId === undefined ? "s3:DeleteObject" : "s3:DeleteObjectVersion";
}

export const deleteObject: OperationHandler = async (call, rt) => {
  const key = call.key as string;
  const versionId = call.req.query.get("versionId") ?? undefined;
  const bucket = rt.authorize(call, deleteAction(versionId), key);
  const out = await deleteOne(call, rt, bucket, key, versionId);
  const headers: Record<string, string> = {};
  if (out.deleteMarker) headers["x-amz-delete-marker"] = "true";
  const id = out.deleteMarkerVersionId ?? out.versionId;
  if (id !== undefined) headers["x-amz-version-id"] = id;
  call.audit.responseElements = Object.keys(headers).length ? { ...headers } : null;
  return emptyResponse(204, headers);
};

interface DeleteEntry {
  key: string;
  versionId?: string;
}

function entriesOf(call: S3Call): { entries: DeleteEntry[]; quiet: boolean } {
  const doc = xmlBody(call, "Delete");
  const objects = xmlList(doc.Object);
  if (objects.length === 0 || objects.length > 1000) throw S3Errors.malformedXml();
  const entries = objects.map((o) => {
    if (!o || typeof o !== "object" || Array.isArray(o)) throw S3Errors.malformedXml();
    const key = xmlText(o.Key);
    if (key === undefined) throw S3Errors.malformedXml();
    return { key, versionId: xmlText(o.VersionId) || undefined };
  });
  return { entries, quiet: (xmlText(doc.Quiet) ?? "").toLowerCase() === "true" };
}

async function deleteEntry(
  call: S3Call,
  rt: S3Runtime,
  bucket: BucketRecord,
  e: DeleteEntry,
): Promise<XmlElement> {
  try {
    if (Buffer.byteLength(e.key) > MAX_KEY_BYTES) throw S3Errors.keyTooLong(Buffer.byteLength(e.key));
    if (!rt.check(call, bucket, deleteAction(e.versionId), e.key).allowed) throw S3Errors.accessDenied();
    const out = await deleteOne(call, rt, bucket, e.key, e.versionId);
    return {
      Deleted: {
        Key: e.key,
        VersionId: e.versionId,
        DeleteMarker: out.deleteMarker ? "true" : undefined,
        DeleteMarkerVersionId: out.deleteMarkerVersionId,
      },
    };
  } catch (err) {
    if (!(err instanceof S3Error)) throw err;
    return { Error: { Key: e.key, VersionId: e.versionId, Code: err.code, Message: err.message } };
  }
}

export const deleteObjects: OperationHandler = async (call, rt) => {
  const bucket = rt.requireBucket(call);
  verifyContentMd5(call.req.headers["content-md5"], md5Hex(call.body));
  verifyChecksums(call.req.headers, call.trailers, call.body);
  const { entries, quiet } = entriesOf(call);
  const results: XmlElement[] = [];
  for (const e of entries) results.push(await deleteEntry(call, rt, bucket, e));
  const deleted = results.flatMap((r) => (r.Deleted && !quiet ? [r.Deleted] : []));
  const errors = results.flatMap((r) => (r.Error ? [r.Error] : []));
  return xmlResponse("DeleteResult", { Deleted: deleted, Error: errors });
};
