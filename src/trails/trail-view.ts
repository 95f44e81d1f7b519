import type { CreateTrailResponse, GetTrailStatusResponse, Trail } from "@aws-sdk/client-cloudtrail";
import { formatEventTime } from "../events/event-time.js";
import type { TrailConfig, TrailStatus } from "./trail-model.js";

/** The wire shapes of a stored trail. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html */
export function toTrail(c: TrailConfig): Trail {
  return {
    Name: c.name,
    S3BucketName: c.s3BucketName,
    S3KeyPrefix: c.s3KeyPrefix,
    SnsTopicName: c.snsTopicName,
    SnsTopicARN: c.snsTopicArn,
    IncludeGlobalServiceEvents: c.includeGlobalServiceEvents,
    IsMultiRegionTrail: c.isMultiRegionTrail,
    HomeRegion: c.homeRegion,
    TrailARN: c.arn,
    LogFileValidationEnabled: c.logFileValidationEnabled,
    CloudWatchLogsLogGroupArn: c.cloudWatchLogsLogGroupArn,
    CloudWatchLogsRoleArn: c.cloudWatchLogsRoleArn,
    KmsKeyId: c.kmsKeyId,
    HasCustomEventSelectors: c.hasCustomEventSelectors,
    HasInsightSelectors: (c.insightSelectors?.length ?? 0) > 0,
    IsOrganizationTrail: false,
  };
}

/** CreateTrail/UpdateTrail responses: the Trail without HomeRegion and the Has* flags. */
export function toTrailResponse(c: TrailConfig): CreateTrailResponse {
  const { HomeRegion: _h, HasCustomEventSelectors: _s, HasInsightSelectors: _i, ...rest } = toTrail(c);
  return rest;
}

const time = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
const legacy = (ms: number | undefined) => (ms === undefined ? "" : formatEventTime(new Date(ms)));

/**
 * GetTrailStatus, including the six "no longer in use" string fields AWS still fills with
 * ISO times (reference §1.3).
 */
export function toTrailStatus(s: TrailStatus): GetTrailStatusResponse {
  const deliveryFailed = s.latestDeliveryError !== undefined;
  const notificationFailed = s.latestNotificationError !== undefined;
  return {
    IsLogging: s.isLogging,
    LatestDeliveryError: s.latestDeliveryError,
    LatestDeliveryTime: time(s.latestDeliveryTime),
    LatestNotificationError: s.latestNotificationError,
    LatestNotificationTime: time(s.latestNotificationTime),
    StartLoggingTime: time(s.startLoggingTime),
    StopLoggingTime: time(s.stopLoggingTime),
    LatestDigestDeliveryTime: time(s.latestDigestDeliveryTime),
    LatestDigestDeliveryError: s.latestDigestDeliveryError,
    LatestDeliveryAttemptTime: legacy(s.latestDeliveryAttemptTime),
    LatestDeliveryAttemptSucceeded:
      s.latestDeliveryAttemptTime === undefined || deliveryFailed ? "" : legacy(s.latestDeliveryTime),
    LatestNotificationAttemptTime: legacy(s.latestNotificationAttemptTime),
    LatestNotificationAttemptSucceeded:
      s.latestNotificationAttemptTime === undefined || notificationFailed
        ? ""
        : legacy(s.latestNotificationTime),
    TimeLoggingStarted: legacy(s.startLoggingTime),
    TimeLoggingStopped: legacy(s.stopLoggingTime),
  };
}
