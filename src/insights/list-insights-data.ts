import type { Event, ListInsightsDataRequest, ListInsightsDataResponse } from "@aws-sdk/client-cloudtrail";
import { isAwsError } from "../protocol/errors.js";
import type { RequestContext } from "../server/request-context.js";
import type { TrailInsightSettings, TrailInsightsAccess } from "../trails/index.js";
import { InsightErrors } from "./insight-errors.js";
import type { InsightsStore, StoredInsightEvent } from "./insights-store.js";
import { decodeToken, encodeToken } from "./next-token.js";

const DIMENSIONS = new Set(["EventId", "EventName", "EventSource"]);
const invalid = InsightErrors.invalidParameter;

/**
 * ListInsightsData: the Insights events a trail (InsightSource) takes in the calling Region,
 * newest first, optionally filtered by one dimension (EventId, EventName or EventSource) and a
 * time range; MaxResults 1–50 (default 50) with NextToken paging. Each event has LookupEvents'
 * shape. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListInsightsData.html
 */
export function listInsightsData(trails: TrailInsightsAccess, store: InsightsStore) {
  return async (input: ListInsightsDataRequest, ctx: RequestContext): Promise<ListInsightsDataResponse> => {
    if (input.DataType !== "InsightsEvents")
      throw invalid(`Value ${input.DataType} for DataType is invalid; the valid value is InsightsEvents.`);
    const max = input.MaxResults ?? 50;
    if (!Number.isInteger(max) || max < 1 || max > 50) throw invalid("MaxResults must be between 1 and 50.");
    const dims = Object.entries(input.Dimensions ?? {});
    if (input.Dimensions !== undefined && dims.length !== 1)
      throw invalid("Dimensions must contain exactly one dimension.");
    const [dim] = dims;
    if (dim && !DIMENSIONS.has(dim[0]))
      throw invalid(`Dimension ${dim[0]} is not valid; use EventId, EventName or EventSource.`);
    const from = input.StartTime?.getTime() ?? 0;
    const to = input.EndTime?.getTime() ?? Number.MAX_SAFE_INTEGER;
    if (from > to) throw invalid("StartTime must not be after EndTime.");
    const trail = insightSource(trails, input.InsightSource, ctx);
    const binding = [trail.trailArn, ctx.region, dim ?? null, from, to];
    const before = input.NextToken
      ? decodeToken<{ timeMs: number; eventId: string }>(input.NextToken, binding)
      : undefined;
    if (input.NextToken !== undefined && !before) throw invalid("The provided NextToken is not valid.");
    const applies = trail.isMultiRegionTrail || trail.homeRegion === ctx.region;
    const events: Event[] = [];
    let last: StoredInsightEvent | undefined;
    let more = false;
    if (applies) {
      for (const e of store.events(trail.accountId, ctx.region, from, to, before)) {
        if (!selects(trail, e) || (dim && !matches(e, dim[0], dim[1]))) continue;
        if (events.length === max) {
          more = true;
          break;
        }
        events.push(toEvent(e));
        last = e;
      }
    }
    return {
      Events: events,
      NextToken:
        more && last ? encodeToken({ timeMs: last.timeMs, eventId: last.eventId }, binding) : undefined,
    };
  };
}

function insightSource(
  trails: TrailInsightsAccess,
  arn: string | undefined,
  ctx: RequestContext,
): TrailInsightSettings {
  try {
    return trails.find(arn, ctx.principal.accountId, ctx.region, false);
  } catch (e) {
    if (isAwsError(e)) throw invalid(`InsightSource ${arn} is not a trail of this account: ${e.message}`);
    throw e;
  }
}

function selects(trail: TrailInsightSettings, e: StoredInsightEvent): boolean {
  if (e.category === "Data" && e.insightSource !== trail.trailArn) return false;
  return trail.insightSelectors.some(
    (s) =>
      s.InsightType === e.insightType &&
      (s.EventCategories ?? ["Management"]).includes(e.category as "Management" | "Data"),
  );
}

function matches(e: StoredInsightEvent, key: string, value: string): boolean {
  if (key === "EventId") return e.eventId === value;
  if (key === "EventName") return e.eventName === value;
  return e.eventSource === value;
}

export function toEvent(e: StoredInsightEvent): Event {
  return {
    EventId: e.eventId,
    EventName: e.eventName,
    EventTime: new Date(e.timeMs),
    EventSource: e.eventSource,
    Resources: [],
    CloudTrailEvent: e.record,
  };
}
