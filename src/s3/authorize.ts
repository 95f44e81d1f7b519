import {
  authorizeResourceAccess,
  principalContext as globalContext,
  type RequestContextValues,
  type ResourceAccessInfo,
  type ResourceAccessRequest,
  type ResourceAccessResult,
} from "../iam/policy/index.js";

export { policyPrincipal } from "../iam/policy/index.js";

/**
 * S3 access rules for OpenTrail's built-in buckets: the generic resource-policy rule (the
 * bucket owner's account may do anything the bucket policy does not explicitly deny; other
 * accounts and service principals only what it allows), with S3's names.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html
 */
export type BucketAccessInfo = ResourceAccessInfo;

/** `action` is `s3:PutObject`, `s3:GetBucketAcl`, ...; `resource` `arn:aws:s3:::bucket[/key]`. */
export type BucketAccessRequest = ResourceAccessRequest;

export type BucketAccessResult = ResourceAccessResult;

export const authorizeBucketAccess: (
  bucket: BucketAccessInfo,
  request: BucketAccessRequest,
) => BucketAccessResult = authorizeResourceAccess;

export function bucketArn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** Global condition keys of a signed request, plus S3's signature version. */
export const principalContext = (...args: Parameters<typeof globalContext>): RequestContextValues =>
  Object.assign(globalContext(...args), { "s3:signatureversion": "AWS4-HMAC-SHA256" });
