/**
 * How CloudTrail classifies and names each S3 operation. Object-level calls, plus the listing
 * calls and HeadBucket / DeleteObjects, are data events; bucket configuration, CreateBucket,
 * DeleteBucket and ListBuckets are management events. A few CloudTrail names differ from the
 * API's (GetObjectLockConfiguration is logged as GetBucketObjectLockConfiguration, ListObjectsV2
 * as ListObjects).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 */
export interface OperationInfo {
  eventName: string;
  category: "Management" | "Data";
  readOnly: boolean;
}

const DATA_READ = [
  "GetObject",
  "HeadObject",
  "ListObjects",
  "ListObjectsV2",
  "ListObjectVersions",
  "HeadBucket",
  "ListParts",
  "ListMultipartUploads",
  "GetObjectRetention",
  "GetObjectLegalHold",
  "GetObjectAcl",
  "GetObjectTagging",
  "GetObjectAttributes",
  "GetObjectTorrent",
  "SelectObjectContent",
];
const DATA_WRITE = [
  "PutObject",
  "CopyObject",
  "DeleteObject",
  "DeleteObjects",
  "CreateMultipartUpload",
  "UploadPart",
  "UploadPartCopy",
  "CompleteMultipartUpload",
  "AbortMultipartUpload",
  "PutObjectRetention",
  "PutObjectLegalHold",
  "PutObjectAcl",
  "PutObjectTagging",
  "DeleteObjectTagging",
  "RestoreObject",
  "PostObject",
];
const RENAMED: Record<string, string> = {
  GetObjectLockConfiguration: "GetBucketObjectLockConfiguration",
  PutObjectLockConfiguration: "PutBucketObjectLockConfiguration",
  ListObjectsV2: "ListObjects",
  GetBucketAccelerateConfiguration: "GetAccelerateConfiguration",
  PutBucketAccelerateConfiguration: "PutAccelerateConfiguration",
};

/** Every S3 operation CloudTrail records as a data event (the gateway classifies with it too). */
export const S3_DATA_OPERATIONS: readonly string[] = [...DATA_READ, ...DATA_WRITE];

/** Data events about a bucket's keys rather than one object: their resource is a key prefix. */
export const S3_PREFIX_OPERATIONS: ReadonlySet<string> = new Set([
  "ListObjects",
  "ListObjectsV2",
  "ListObjectVersions",
  "HeadBucket",
  "DeleteObjects",
  "ListMultipartUploads",
]);

export function operationInfo(operation: string): OperationInfo {
  const eventName = RENAMED[operation] ?? operation;
  if (DATA_READ.includes(operation)) return { eventName, category: "Data", readOnly: true };
  if (DATA_WRITE.includes(operation)) return { eventName, category: "Data", readOnly: false };
  const readOnly = /^(Get|List|Head)/.test(operation);
  return { eventName, category: "Management", readOnly };
}

/** Whether a data event names one object (`AWS::S3::Object` ARN) or a key prefix (`ARNPrefix`). */
export function isObjectOperation(operation: string): boolean {
  return !S3_PREFIX_OPERATIONS.has(operation);
}
