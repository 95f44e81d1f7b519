import type { ChecksumAlgorithm } from "./checksums.js";

/** What the built-in store keeps about buckets, object versions and multipart uploads. */
export type VersioningStatus = "Enabled" | "Suspended";
export type LockMode = "GOVERNANCE" | "COMPLIANCE";

export interface DefaultRetention {
  mode: LockMode;
  days?: number;
  years?: number;
}

export interface BucketRecord {
  name: string;
  ownerAccountId: string;
  region: string;
  creationDate: Date;
  versioning?: VersioningStatus;
  objectLockEnabled: boolean;
  defaultRetention?: DefaultRetention;
  /** The bucket policy exactly as submitted. */
  policy?: string;
}

/** Everything about an object version besides its bytes, identity and size. */
export interface ObjectMeta {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** `x-amz-meta-*` headers, names lower-cased without the prefix. */
  userMetadata: Record<string, string>;
  serverSideEncryption?: string;
  sseKmsKeyId?: string;
  storageClass?: string;
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
  lockMode?: LockMode;
  /** ISO 8601. */
  lockUntil?: string;
  legalHold?: "ON" | "OFF";
  acl?: string;
  ownerAccountId?: string;
  partsCount?: number;
}

export interface ObjectVersion {
  bucket: string;
  key: string;
  /** `"null"` for versions written while versioning was off or suspended. */
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  size: number;
  /** Hex MD5, or `<hex>-<parts>` for multipart objects; no quotes. */
  etag: string;
  lastModified: Date;
  blob?: string;
  meta: ObjectMeta;
}

export interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: Date;
  meta: ObjectMeta;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
  size: number;
  blob: string;
  lastModified: Date;
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
}
