import { AwsError } from "../protocol/errors.js";

/**
 * CloudTrail Lake's exceptions (HTTP 400, code = the model's shape name; reference §1.3, §1.5).
 * AWS publishes few Lake messages, so these are descriptive; clients key on the code.
 */
const e = (code: string, message: string) => new AwsError(code, message, 400);

export const LakeErrors = {
  storeNotFound: (ref: string) =>
    e("EventDataStoreNotFoundException", `The specified event data store ${ref} was not found.`),
  storeArnInvalid: (ref: string) =>
    e(
      "EventDataStoreARNInvalidException",
      `${ref} is not a valid event data store ARN or ID. The format of an event data store ARN is arn:aws:cloudtrail:us-east-2:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE.`,
    ),
  storeAlreadyExists: (name: string) =>
    e("EventDataStoreAlreadyExistsException", `An event data store named ${name} already exists.`),
  storeMaxLimit: (limit: number) =>
    e(
      "EventDataStoreMaxLimitExceededException",
      `Your account has reached the maximum number of event data stores (${limit}).`,
    ),
  terminationProtected: (arn: string) =>
    e(
      "EventDataStoreTerminationProtectedException",
      `Event data store ${arn} cannot be deleted because termination protection is enabled.`,
    ),
  inactiveStore: (arn: string) =>
    e("InactiveEventDataStoreException", `Event data store ${arn} is pending deletion and cannot be used.`),
  invalidStoreStatus: (arn: string, status: string, wanted: string) =>
    e(
      "InvalidEventDataStoreStatusException",
      `Event data store ${arn} has status ${status}; this operation needs ${wanted}.`,
    ),
  invalidStoreCategory: (message: string) => e("InvalidEventDataStoreCategoryException", message),
  ongoingImport: (arn: string) =>
    e("EventDataStoreHasOngoingImportException", `Event data store ${arn} has an import in progress.`),
  channelExistsForStore: (arn: string) =>
    e(
      "ChannelExistsForEDSException",
      `Event data store ${arn} is the destination of a channel; delete or update the channel first.`,
    ),
  invalidParameter: (message: string) => e("InvalidParameterException", message),
  invalidEventSelectors: (message: string) => e("InvalidEventSelectorsException", message),
  invalidKmsKeyId: (keyId: string) =>
    e("InvalidKmsKeyIdException", `The specified KMS key ID is not valid: ${keyId}`),
  invalidMaxResults: () => e("InvalidMaxResultsException", "MaxResults is not valid."),
  invalidNextToken: () => e("InvalidNextTokenException", "The provided NextToken is not valid."),
  invalidDateRange: () =>
    e("InvalidDateRangeException", "The StartTime must be before the EndTime, within the last seven days."),
  invalidQueryStatus: (status: string) =>
    e("InvalidQueryStatusException", `${status} is not a valid query status.`),
  invalidQueryStatement: (message: string) => e("InvalidQueryStatementException", message),
  maxConcurrentQueries: () =>
    e("MaxConcurrentQueriesException", "The maximum number of concurrent queries is 10."),
  queryNotFound: (id: string) => e("QueryIdNotFoundException", `The query ID ${id} does not exist.`),
  inactiveQuery: (id: string, status: string) =>
    e("InactiveQueryException", `Query ${id} is ${status} and can no longer be cancelled.`),
  invalidS3Prefix: (message: string) => e("InvalidS3PrefixException", message),
  invalidS3BucketName: (bucket: string) =>
    e("InvalidS3BucketNameException", `The specified S3 bucket name is not valid: ${bucket}`),
  bucketDoesNotExist: (bucket: string) =>
    e("S3BucketDoesNotExistException", `S3 bucket ${bucket} does not exist.`),
  insufficientBucketPolicy: (bucket: string) =>
    e("InsufficientS3BucketPolicyException", `Incorrect S3 bucket policy is detected for bucket: ${bucket}`),
  channelNotFound: (ref: string) => e("ChannelNotFoundException", `The channel ${ref} was not found.`),
  channelArnInvalid: (ref: string) =>
    e(
      "ChannelARNInvalidException",
      `${ref} is not a valid channel ARN or ID. The format of a channel ARN is arn:aws:cloudtrail:us-east-2:123456789012:channel/01234567890.`,
    ),
  channelAlreadyExists: (name: string) =>
    e("ChannelAlreadyExistsException", `A channel named ${name} already exists.`),
  channelMaxLimit: (limit: number) =>
    e(
      "ChannelMaxLimitExceededException",
      `Your account has reached the maximum number of channels (${limit}).`,
    ),
  invalidSource: (source: string) =>
    e("InvalidSourceException", `Source ${source} is not valid; OpenTrail supports the Custom source.`),
  resourceArnNotValid: (arn: string) =>
    e(
      "ResourceARNNotValidException",
      `${arn} is not a valid resource ARN. The format of a channel ARN is arn:aws:cloudtrail:us-east-2:123456789012:channel/01234567890, of an event data store ARN arn:aws:cloudtrail:us-east-2:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE.`,
    ),
  resourceNotFound: (arn: string) => e("ResourceNotFoundException", `Resource not found: ${arn}`),
  resourceTypeNotSupported: (arn: string) =>
    e(
      "ResourceTypeNotSupportedException",
      `The resource type of ${arn} does not take a resource-based policy; channels and event data stores do.`,
    ),
  resourcePolicyNotFound: (arn: string) =>
    e("ResourcePolicyNotFoundException", `No resource-based policy is attached to ${arn}.`),
  resourcePolicyNotValid: (message: string) => e("ResourcePolicyNotValidException", message),
  /** IAM's wording for a cross-account call no resource-based policy allows. */
  accessDenied: (principalArn: string, action: string, resourceArn: string) =>
    e(
      "AccessDeniedException",
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resourceArn} because no resource-based policy allows the ${action} action`,
    ),
  importNotFound: (id: string) => e("ImportNotFoundException", `The import ${id} was not found.`),
  accountHasOngoingImport: () =>
    e("AccountHasOngoingImportException", "An import is already in progress for this account."),
  invalidImportSource: (message: string) => e("InvalidImportSourceException", message),
} as const;
