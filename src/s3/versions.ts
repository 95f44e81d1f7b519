import { S3Errors } from "./errors.js";
import type { BucketRecord, ObjectMeta } from "./model.js";
import type { StoredVersion } from "./object-index.js";
import { newVersionId } from "./object-meta.js";
import type { S3Runtime } from "./runtime.js";

/**
 * Version bookkeeping shared by the HTTP handlers and the internal store: committing a new
 * current version (object or delete marker) and finding the version a request names.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
 */
export interface NewVersion {
  blob?: string;
  size: number;
  etag: string;
  meta: ObjectMeta;
  deleteMarker?: boolean;
}

/** Makes a new current version; the bytes (if any) are already durable in `blob`. */
export async function commitVersion(
  rt: S3Runtime,
  bucket: BucketRecord,
  key: string,
  v: NewVersion,
): Promise<StoredVersion> {
  const version = {
    bucket: bucket.name,
    key,
    versionId: newVersionId(bucket),
    deleteMarker: v.deleteMarker ?? false,
    size: v.size,
    etag: v.etag,
    lastModified: new Date(),
    blob: v.blob,
    meta: v.meta,
  };
  const removed = rt.index.putVersion(version);
  await rt.blobs.remove(removed.map((r) => r.blob));
  return rt.index.version(bucket.name, key, version.versionId) as StoredVersion;
}

/**
 * The version a GET/HEAD addresses: the current one, or `versionId`. A current delete marker
 * is NoSuchKey (with `x-amz-delete-marker`), a delete marker asked for by id MethodNotAllowed.
 */
export function resolveVersion(
  rt: S3Runtime,
  bucket: string,
  key: string,
  versionId?: string | null,
): StoredVersion {
  if (versionId === undefined || versionId === null) {
    const v = rt.index.latest(bucket, key);
    if (!v) throw S3Errors.noSuchKey(key);
    if (v.deleteMarker) {
      const e = S3Errors.noSuchKey(key);
      Object.assign(e.headers, { "x-amz-delete-marker": "true", "x-amz-version-id": v.versionId });
      throw e;
    }
    return v;
  }
  const v = rt.index.version(bucket, key, versionId);
  if (!v) throw S3Errors.noSuchVersion(key, versionId);
  if (v.deleteMarker) {
    const e = S3Errors.methodNotAllowed("GET", "DeleteMarker");
    Object.assign(e.headers, { "x-amz-delete-marker": "true", "x-amz-version-id": v.versionId });
    throw e;
  }
  return v;
}
