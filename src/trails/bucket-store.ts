/**
 * What trails need from the place buckets live: a structural subset of `ObjectStore`
 * (src/s3/object-store.ts), so either implementation (built-in store, external S3) can be
 * passed as is. Delivery writes through the store's internal path, as CloudTrail's service
 * principal; whether the bucket policy allows that is checked with `BucketPolicyCheck`.
 */
export interface PutObjectOptions {
  metadata?: Record<string, string>;
  contentType?: string;
  contentEncoding?: string;
}

export interface TrailBucketStore {
  headBucket(bucket: string): Promise<{ exists: boolean; ownerAccountId?: string; region?: string }>;
  putObject(bucket: string, key: string, body: Buffer, opts?: PutObjectOptions): Promise<unknown>;
}

/** What CloudTrail's write needs to be allowed by the bucket policy (reference §3.5). */
export interface BucketPolicyRequest {
  bucket: string;
  prefix?: string;
  /** Account whose `AWSLogs/<acct>/` folder is written. */
  accountId: string;
  trailArn: string;
  /** The trail's home Region (`aws:SourceArn`'s Region). */
  region: string;
}

/**
 * True when the bucket's real policy lets `cloudtrail.amazonaws.com` PutObject under
 * `[prefix/]AWSLogs/<acct>/` (with `aws:SourceArn`, `aws:SourceAccount` and
 * `s3:x-amz-acl: bucket-owner-full-control` in the context) and GetBucketAcl on the bucket.
 */
export type BucketPolicyCheck = (req: BucketPolicyRequest) => boolean | Promise<boolean>;

/** A delivery failure as GetTrailStatus reports it: the S3 error code when there is one. */
export function deliveryErrorCode(err: unknown): string {
  const e = err as { code?: unknown; Code?: unknown; name?: unknown };
  for (const candidate of [e?.code, e?.Code, e?.name]) {
    if (typeof candidate === "string" && /^[A-Za-z][A-Za-z0-9]*$/.test(candidate) && candidate !== "Error")
      return candidate;
  }
  return "InternalError";
}
