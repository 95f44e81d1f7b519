import type { InsightSelector } from "@aws-sdk/client-cloudtrail";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import type { EventPredicate } from "./event-fields.js";

/**
 * Which Insights events a trail takes: those whose insightType it selected for the event
 * category the Insight was computed on (insightDetails.sourceEventCategory, Management when
 * absent, as in records before eventVersion 1.09). "If EventCategories is not provided, the
 * specified Insights types are enabled on management API calls by default." Data-event
 * Insights are computed per trail and name it in insightDetails.insightSource, so a trail takes
 * only its own. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_InsightSelector.html
 */
export function compileInsightSelection(
  selectors: readonly InsightSelector[] | undefined,
  trailArn: string | undefined,
): EventPredicate {
  const wanted = new Set<string>();
  for (const s of selectors ?? []) {
    for (const category of s.EventCategories ?? ["Management"]) wanted.add(`${s.InsightType}/${category}`);
  }
  if (wanted.size === 0) return () => false;
  return (event) => {
    const details = insightDetailsOf(event);
    if (!details) return false;
    const category = details.sourceEventCategory ?? "Management";
    if (!wanted.has(`${details.insightType}/${category}`)) return false;
    return category !== "Data" || details.insightSource === trailArn;
  };
}

interface InsightKeys {
  insightType?: unknown;
  sourceEventCategory?: unknown;
  insightSource?: unknown;
}

function insightDetailsOf(event: CloudTrailEvent): InsightKeys | undefined {
  const d = event.insightDetails;
  return d && typeof d === "object" && !Array.isArray(d) ? (d as InsightKeys) : undefined;
}
