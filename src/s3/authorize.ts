import {
  type Decision,
  evaluate,
  type Policy,
  type PolicyPrincipal,
  type RequestContextValues,
} from "../iam/policy/index.js";
import type { Principal } from "../iam/principal.js";

/**
 * S3 access rules for OpenTrail's built-in buckets (there are no IAM identity policies yet):
 * principals of the bucket owner's account may do anything the bucket policy does not
 * explicitly deny; other accounts and service principals only what the bucket policy allows.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html
 */
export interface BucketAccessInfo {
  ownerAccountId: string;
  policy?: Policy;
}

export interface BucketAccessRequest {
  principal: PolicyPrincipal;
  /** `s3:PutObject`, `s3:GetBucketAcl`, ... */
  action: string;
  /** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`. */
  resource: string;
  context?: RequestContextValues;
}

export interface BucketAccessResult {
  allowed: boolean;
  /** What the bucket policy alone said. */
  decision: Decision;
}

export function authorizeBucketAccess(
  bucket: BucketAccessInfo,
  request: BucketAccessRequest,
): BucketAccessResult {
  const decision = bucket.policy
    ? evaluate(bucket.policy, { ...request, context: request.context ?? {} })
    : "ImplicitDeny";
  if (decision === "Deny") return { allowed: false, decision };
  const ownAccount =
    request.principal.type === "AWS" && request.principal.accountId === bucket.ownerAccountId;
  return { allowed: ownAccount || decision === "Allow", decision };
}

export function bucketArn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

export function policyPrincipal(p: Principal): PolicyPrincipal {
  return { type: "AWS", id: p.arn, accountId: p.accountId };
}

const PRINCIPAL_TYPE: Record<Principal["type"], string> = {
  Root: "Account",
  IAMUser: "User",
  AssumedRole: "AssumedRole",
};

/** Global condition keys of a signed request. */
export function principalContext(
  p: Principal,
  sourceIp: string,
  now: Date,
  secure: boolean,
): RequestContextValues {
  return {
    "aws:PrincipalArn": p.session?.roleArn ?? p.arn,
    "aws:PrincipalAccount": p.accountId,
    "aws:PrincipalType": PRINCIPAL_TYPE[p.type],
    "aws:userid": p.principalId,
    "aws:username": p.type === "IAMUser" ? p.userName : undefined,
    "aws:SourceIp": sourceIp,
    "aws:SecureTransport": secure ? "true" : "false",
    "aws:CurrentTime": now.toISOString(),
    "aws:EpochTime": String(Math.floor(now.getTime() / 1000)),
    "s3:signatureversion": "AWS4-HMAC-SHA256",
  };
}
