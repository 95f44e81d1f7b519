import type { JsonObject, JsonValue } from "../events/cloudtrail-event.js";
import type { SeriesKey } from "./series-key.js";
import { roundRate, type ValueAverage } from "./top-counter.js";

export interface InsightStatistics {
  baselineAverage: number;
  insightAverage: number;
  /** Minutes of unusual activity (so far, in a Start event). */
  insightDuration: number;
  /** Minutes the baseline covers, ending at the Insight's start. */
  baselineDuration: number;
}

export interface Attribution {
  attribute: "userIdentityArn" | "userAgent" | "errorCode";
  insight: ValueAverage[];
  baseline: ValueAverage[];
}

/**
 * The insightDetails block of an Insights event, with CloudTrail's fields in CloudTrail's order
 * (reference §2.5; the current docs' eventVersion 1.09 examples add sourceEventCategory, and
 * insightSource for data-event Insights).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-insight-details.html
 */
export function insightDetails(
  state: "Start" | "End",
  key: SeriesKey,
  stats: InsightStatistics,
  attributions: Attribution[],
): JsonObject {
  const details: JsonObject = {
    state,
    eventSource: key.eventSource,
    eventName: key.eventName,
    insightType: key.insightType,
  };
  if (key.errorCode !== undefined) details.errorCode = key.errorCode;
  details.sourceEventCategory = key.category;
  details.insightContext = {
    statistics: {
      baseline: { average: roundRate(stats.baselineAverage) },
      insight: { average: roundRate(stats.insightAverage) },
      insightDuration: stats.insightDuration,
      baselineDuration: stats.baselineDuration,
    },
    attributions: attributions.map((a) => ({
      attribute: a.attribute,
      insight: a.insight as unknown as JsonValue,
      baseline: a.baseline as unknown as JsonValue,
    })),
  };
  if (key.insightSource !== undefined) details.insightSource = key.insightSource;
  return details;
}
