/**
 * Where OpenTrail's own delivery writes log and digest files: the built-in store (direct and
 * unaudited) or any S3-compatible endpoint. Every implementation passes the contract suite in
 * object-store-contract.ts.
 */
export interface PutObjectOptions {
  /** User metadata, names without `x-amz-meta-` (e.g. `signature`, `signature-algorithm`). */
  metadata?: Record<string, string>;
  contentType?: string;
  contentEncoding?: string;
}

export interface StoredObject {
  body: Buffer;
  metadata: Record<string, string>;
  contentType?: string;
  contentEncoding?: string;
  /** Hex MD5 (or `<hex>-<parts>`), without quotes. */
  etag: string;
  size: number;
  lastModified: Date;
  versionId?: string;
}

export interface ObjectSummary {
  key: string;
  size: number;
  /** Without quotes. */
  etag: string;
}

export interface BucketInfo {
  exists: boolean;
  /** Known for the built-in store only. */
  ownerAccountId?: string;
  region?: string;
}

export interface ObjectStore {
  /** Resolves once the object is durable. */
  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    opts?: PutObjectOptions,
  ): Promise<{ etag: string; versionId?: string }>;
  /** The current version, or undefined when there is none (or it is a delete marker). */
  getObject(bucket: string, key: string): Promise<StoredObject | undefined>;
  headBucket(bucket: string): Promise<BucketInfo>;
  /** Keys with `prefix` after `startAfter`, in UTF-8 binary order. */
  listObjects(bucket: string, prefix: string, startAfter?: string): AsyncIterable<ObjectSummary>;
  /** Deletes the current version (a delete marker in versioned buckets); no error when absent. */
  deleteObject(bucket: string, key: string): Promise<void>;
}
