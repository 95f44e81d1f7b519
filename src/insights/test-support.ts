import { type CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { CreateBucketCommand, PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { ADMIN } from "../test-support/fixtures.js";
import { s3TestClient } from "../test-support/server.js";

export const trailArn = (name: string, region = "us-east-1") =>
  `arn:aws:cloudtrail:${region}:${ADMIN.accountId}:trail/${name}`;

/** A bucket with the policy CloudTrail documents (reference §3.5), for trails of the admin account. */
export async function trailBucket(url: string, bucket: string): Promise<void> {
  const s3 = s3TestClient(url);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:GetBucketAcl",
          Resource: `arn:aws:s3:::${bucket}`,
        },
        {
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `arn:aws:s3:::${bucket}/AWSLogs/${ADMIN.accountId}/*`,
          Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  } finally {
    s3.destroy();
  }
}

export async function loggingTrail(ct: CloudTrailClient, name: string, bucket: string): Promise<void> {
  await ct.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket }));
  await ct.send(new StartLoggingCommand({ Name: name }));
}
