import type { CreateTrailRequest } from "@aws-sdk/client-cloudtrail";
import { TrailErrors } from "./trail-errors.js";

/**
 * Validation and normal forms of CreateTrail/UpdateTrail settings (reference §1.3, §3.4–3.6).
 * In UpdateTrail an empty string removes an optional setting (prefix, topic, key, log group).
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
 */
export type TrailSettings = Omit<CreateTrailRequest, "Name" | "TagsList">;

const MAX_PREFIX = 200;

/** S3 bucket naming rules (general purpose buckets). */
export function assertBucketName(bucket: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) &&
    !bucket.includes("..") &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket);
  if (!ok) throw TrailErrors.invalidBucketName(bucket);
}

export function normalizePrefix(prefix: string | undefined): string | undefined {
  if (prefix === undefined || prefix === "") return undefined;
  if (prefix.length > MAX_PREFIX)
    throw TrailErrors.invalidPrefix(
      `The S3 key prefix must be at most ${MAX_PREFIX} characters; got ${prefix.length}.`,
    );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(prefix))
    throw TrailErrors.invalidPrefix("The S3 key prefix contains control characters.");
  return prefix;
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const TOPIC_ARN = /^arn:(aws[a-z-]*):sns:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;

/** SNS topic as name and ARN; a bare name is in the trail's Region and account. */
export function snsTopic(topic: string, region: string, accountId: string): { name: string; arn: string } {
  const arn = TOPIC_ARN.exec(topic);
  if (arn) return { name: arn[4] as string, arn: topic };
  if (!TOPIC_NAME.test(topic)) throw TrailErrors.invalidSnsTopicName(topic);
  return { name: topic, arn: `arn:aws:sns:${region}:${accountId}:${topic}` };
}

const KEY_UUID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:(key\/.+|alias\/[A-Za-z0-9/_-]+)$/;
const ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;

/** CloudTrail returns KmsKeyId as a full ARN (reference §3.6). No encryption is done yet. */
export function kmsKeyArn(keyId: string, region: string, accountId: string): string {
  if (KEY_ARN.test(keyId)) return keyId;
  if (ALIAS.test(keyId)) return `arn:aws:kms:${region}:${accountId}:${keyId}`;
  if (KEY_UUID.test(keyId)) return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
  throw TrailErrors.invalidKmsKeyId(keyId);
}

const LOG_GROUP_ARN =
  /^arn:aws[a-z-]*:logs:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:log-group:[A-Za-z0-9_/.#-]{1,512}:\*$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** Log group and role go together; both are only stored (no CloudWatch Logs delivery yet). */
export function assertCloudWatchLogs(group: string | undefined, role: string | undefined): void {
  if (group && !LOG_GROUP_ARN.test(group)) throw TrailErrors.invalidLogGroupArn(group);
  if (role && !ROLE_ARN.test(role)) throw TrailErrors.invalidLogsRoleArn(role);
  if (group && !role) throw TrailErrors.invalidLogsRoleArn("(none): a log group needs CloudWatchLogsRoleArn");
  if (role && !group) throw TrailErrors.invalidLogGroupArn("(none): CloudWatchLogsRoleArn needs a log group");
}

export function assertMultiRegionGlobal(isMultiRegion: boolean, includeGlobal: boolean): void {
  if (isMultiRegion && !includeGlobal)
    throw TrailErrors.invalidParameterCombination("Multi-Region trail must include global service events.");
}

/** Treats "" as "not set" for UpdateTrail's removable string settings. */
export function blankToUndefined(value: string | undefined): string | undefined {
  return value === "" ? undefined : value;
}
