import type { AdvancedEventSelector, EventSelector, InsightSelector, Tag } from "@aws-sdk/client-cloudtrail";

/** A trail's configuration as stored (times are epoch milliseconds). */
export interface TrailConfig {
  /** Internal id: names the trail's log consumer; a re-created trail gets a new one. */
  id: string;
  arn: string;
  name: string;
  accountId: string;
  homeRegion: string;
  s3BucketName: string;
  s3KeyPrefix?: string;
  snsTopicName?: string;
  snsTopicArn?: string;
  includeGlobalServiceEvents: boolean;
  isMultiRegionTrail: boolean;
  logFileValidationEnabled: boolean;
  cloudWatchLogsLogGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  kmsKeyId?: string;
  /** Exactly one of the two is set; a new trail has the default basic selector. */
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
  hasCustomEventSelectors: boolean;
  /** PutInsightSelectors; absent or empty when Insights are off. */
  insightSelectors?: InsightSelector[];
  tags: Tag[];
  createdAt: number;
}

/** What GetTrailStatus reports (times are epoch milliseconds). */
export interface TrailStatus {
  isLogging: boolean;
  startLoggingTime?: number;
  stopLoggingTime?: number;
  latestDeliveryTime?: number;
  latestDeliveryAttemptTime?: number;
  latestDeliveryError?: string;
  latestDigestDeliveryTime?: number;
  latestDigestAttemptTime?: number;
  latestDigestDeliveryError?: string;
  /** SNS notifications of delivered files (only with SnsTopicName). */
  latestNotificationTime?: number;
  latestNotificationAttemptTime?: number;
  latestNotificationError?: string;
}

/**
 * What decides whether the trail takes an event, from log position `fromSeq` on. A new epoch is
 * recorded at every change (StartLogging, StopLogging, PutEventSelectors, UpdateTrail) with the
 * log's end at that moment, so selection is a pure function of (log, epochs): a replay after a
 * crash selects exactly what the first attempt selected, and events recorded while the trail was
 * stopped are never delivered, even from a backlog.
 */
export interface SelectionEpoch {
  fromSeq: number;
  /** When the change was made (epoch ms): a digest chain opened for it starts here. */
  createdAt?: number;
  logging: boolean;
  validation: boolean;
  accountId: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  includeGlobalServiceEvents: boolean;
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
  /** Which Insights events (by insightType and source category) the trail delivers. */
  insightSelectors?: InsightSelector[];
  /** Data-event Insights name the trail they were computed for (insightDetails.insightSource). */
  trailArn?: string;
}

export interface TrailRecord {
  config: TrailConfig;
  status: TrailStatus;
}

export const DEFAULT_EVENT_SELECTORS: EventSelector[] = [
  {
    ReadWriteType: "All",
    IncludeManagementEvents: true,
    DataResources: [],
    ExcludeManagementEventSources: [],
  },
];

export function epochOf(
  config: TrailConfig,
  isLogging: boolean,
  fromSeq: number,
  createdAt: number,
): SelectionEpoch {
  return {
    fromSeq,
    createdAt,
    logging: isLogging,
    validation: config.logFileValidationEnabled,
    accountId: config.accountId,
    homeRegion: config.homeRegion,
    isMultiRegionTrail: config.isMultiRegionTrail,
    includeGlobalServiceEvents: config.includeGlobalServiceEvents,
    eventSelectors: config.eventSelectors,
    advancedEventSelectors: config.advancedEventSelectors,
    insightSelectors: config.insightSelectors,
    trailArn: config.arn,
  };
}
