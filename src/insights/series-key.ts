import { createHash } from "node:crypto";

export type InsightType = "ApiCallRateInsight" | "ApiErrorRateInsight";
export type SourceCategory = "Management" | "Data";
export const INSIGHT_TYPES: readonly InsightType[] = ["ApiCallRateInsight", "ApiErrorRateInsight"];

/**
 * One rate the analyzer follows: calls (ApiCallRateInsight) or errors with one errorCode
 * (ApiErrorRateInsight) of one API, in one account and Region. Management-event rates belong to
 * the account; data-event rates to the trail that selects the events (insightSource).
 */
export interface SeriesKey {
  account: string;
  region: string;
  insightType: InsightType;
  category: SourceCategory;
  eventSource: string;
  eventName: string;
  errorCode?: string;
  insightSource?: string;
}

const SEP = "\u0001";

export function seriesKeyString(k: SeriesKey): string {
  return [
    k.account,
    k.region,
    k.insightType,
    k.category,
    k.eventSource,
    k.eventName,
    k.errorCode ?? "",
    k.insightSource ?? "",
  ].join(SEP);
}

export function parseSeriesKey(s: string): SeriesKey {
  const [account, region, insightType, category, eventSource, eventName, errorCode, insightSource] =
    s.split(SEP);
  return {
    account: account ?? "",
    region: region ?? "",
    insightType: insightType as InsightType,
    category: category as SourceCategory,
    eventSource: eventSource ?? "",
    eventName: eventName ?? "",
    errorCode: errorCode || undefined,
    insightSource: insightSource || undefined,
  };
}

/** A GUID derived from `seed`: replaying the same decision yields the same eventIDs. */
export function stableUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  const variant = ((Number.parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
