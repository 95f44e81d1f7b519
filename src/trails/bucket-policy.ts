import type { BucketAccessRequest, BucketAccessResult } from "../s3/index.js";
import type { BucketPolicyCheck, BucketPolicyRequest } from "./bucket-store.js";

/** `S3Service.authorizeBucketAccess`: the built-in bucket's real policy, evaluated. */
export type BucketAuthorizer = (
  bucket: string,
  request: BucketAccessRequest,
) => Promise<BucketAccessResult & { exists: boolean }>;

const CLOUDTRAIL = { type: "Service", id: "cloudtrail.amazonaws.com" } as const;

/**
 * CloudTrail's check of a delivery bucket (reference §3.5): the policy must let
 * cloudtrail.amazonaws.com call s3:GetBucketAcl on the bucket and s3:PutObject under
 * `[prefix/]AWSLogs/<acct>/` (log and digest folders), with the context CloudTrail sends:
 * aws:SourceArn (the trail), aws:SourceAccount and s3:x-amz-acl bucket-owner-full-control.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 */
export function cloudTrailBucketPolicyCheck(authorize: BucketAuthorizer): BucketPolicyCheck {
  return async (req: BucketPolicyRequest) => {
    const context = { "aws:SourceArn": req.trailArn, "aws:SourceAccount": req.accountId };
    const acl = await authorize(req.bucket, {
      principal: CLOUDTRAIL,
      action: "s3:GetBucketAcl",
      resource: `arn:aws:s3:::${req.bucket}`,
      context,
    });
    if (!acl.exists || !acl.allowed) return false;
    const base = `${req.prefix ? `${req.prefix}/` : ""}AWSLogs/${req.accountId}`;
    for (const folder of ["CloudTrail", "CloudTrail-Digest"]) {
      const put = await authorize(req.bucket, {
        principal: CLOUDTRAIL,
        action: "s3:PutObject",
        resource: `arn:aws:s3:::${req.bucket}/${base}/${folder}/${req.region}/probe.json.gz`,
        context: { ...context, "s3:x-amz-acl": "bucket-owner-full-control" },
      });
      if (!put.allowed) return false;
    }
    return true;
  };
}
