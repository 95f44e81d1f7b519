import { AwsError } from "../protocol/errors.js";

/**
 * CloudTrail's trail-API exceptions (HTTP 400, code = the model's shape name). Messages quoted
 * from real responses where known (reference §1.4): TrailNotFound, InsufficientS3BucketPolicy,
 * MaximumNumberOfTrailsExceeded, InvalidEventSelectors' DataResources wording and the
 * multi-Region/global-events combination; the others are descriptive.
 */
const e = (code: string, message: string) => new AwsError(code, message, 400);

export const TrailErrors = {
  trailNotFound: (nameOrArn: string, accountId: string) =>
    e("TrailNotFoundException", `Unknown trail: ${nameOrArn} for the user: ${accountId}`),
  trailAlreadyExists: (arn: string) =>
    e("TrailAlreadyExistsException", `Trail ${arn} already exists for customer: ${arn.split(":")[4] ?? ""}`),
  maximumTrails: (accountId: string, region: string) =>
    e("MaximumNumberOfTrailsExceededException", `User: ${accountId} already has 5 trails in ${region}.`),
  invalidTrailName: (message: string) => e("InvalidTrailNameException", message),
  arnInvalid: (arn: string) =>
    e(
      "CloudTrailARNInvalidException",
      `${arn} is not a valid trail ARN. The format of a trail ARN is arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail.`,
    ),
  invalidHomeRegion: (arn: string, homeRegion: string) =>
    e(
      "InvalidHomeRegionException",
      `The trail ${arn} can only be changed in its home Region, ${homeRegion}. Call this operation in ${homeRegion}.`,
    ),
  bucketDoesNotExist: (bucket: string) =>
    e("S3BucketDoesNotExistException", `S3 bucket ${bucket} does not exist.`),
  insufficientBucketPolicy: (bucket: string) =>
    e("InsufficientS3BucketPolicyException", `Incorrect S3 bucket policy is detected for bucket: ${bucket}`),
  invalidBucketName: (bucket: string) =>
    e("InvalidS3BucketNameException", `The specified S3 bucket name is not valid: ${bucket}`),
  invalidPrefix: (message: string) => e("InvalidS3PrefixException", message),
  invalidSnsTopicName: (topic: string) =>
    e("InvalidSnsTopicNameException", `The specified SNS topic name or ARN is not valid: ${topic}`),
  insufficientSnsTopicPolicy: (topicArn: string) =>
    e(
      "InsufficientSnsTopicPolicyException",
      `Insufficient permissions to publish to SNS topic ${topicArn}: OpenTrail has no endpoint for it (opentrail serve --sns-endpoint TOPIC=URL).`,
    ),
  invalidKmsKeyId: (keyId: string) =>
    e("InvalidKmsKeyIdException", `The specified KMS key ID is not valid: ${keyId}`),
  invalidLogGroupArn: (arn: string) =>
    e(
      "InvalidCloudWatchLogsLogGroupArnException",
      `The CloudWatch Logs log group ARN is not valid: ${arn}. Use arn:aws:logs:<region>:<account>:log-group:<name>:*.`,
    ),
  invalidLogsRoleArn: (arn: string) =>
    e("InvalidCloudWatchLogsRoleArnException", `The CloudWatch Logs role ARN is not valid: ${arn}`),
  invalidParameterCombination: (message: string) => e("InvalidParameterCombinationException", message),
  invalidParameter: (message: string) => e("InvalidParameterException", message),
  invalidEventSelectors: (message: string) => e("InvalidEventSelectorsException", message),
  invalidTimeRange: () =>
    e(
      "InvalidTimeRangeException",
      "Occurs if the timestamp values are not valid. Either the start time occurs after the end time, or the time range is outside the range of possible values.",
    ),
  invalidNextToken: () => e("InvalidNextTokenException", "The provided NextToken is not valid."),
  tagsLimitExceeded: () =>
    e(
      "TagsLimitExceededException",
      "The number of tags per resource has exceeded the permitted amount. Currently, the limit is 50.",
    ),
  invalidTagParameter: (message: string) => e("InvalidTagParameterException", message),
  resourceNotFound: (arn: string) => e("ResourceNotFoundException", `Resource not found: ${arn}`),
  resourceTypeNotSupported: (arn: string) =>
    e("ResourceTypeNotSupportedException", `The resource type of ${arn} is not supported by this operation.`),
  organizationsNotInUse: () =>
    e(
      "OrganizationsNotInUseException",
      "This account is not a member of an organization in AWS Organizations.",
    ),
} as const;
