import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { compileSelectors, type EventPredicate, type TrailInsightSettings } from "../trails/index.js";
import type { SeriesKey } from "./series-key.js";

/** An event data store with Insights on (PutInsightSelectors with EventDataStore). */
export interface EventDataStoreInsights {
  arn: string;
  accountId: string;
  /** Regions whose management events it analyses. */
  regions: "all" | string[];
  insightTypes: string[];
}

/** Where Insights are switched on: trails (and event data stores, once Lake provides them). */
export interface InsightSources {
  trails(): TrailInsightSettings[];
  eventDataStores?(): EventDataStoreInsights[];
}

const categoriesOf = (s: { EventCategories?: string[] }) => s.EventCategories ?? ["Management"];

function trailApplies(t: TrailInsightSettings, account: string, region: string): boolean {
  return t.isLogging && t.accountId === account && (t.isMultiRegionTrail || t.homeRegion === region);
}

/**
 * Whether anything has these Insights on now: a logging trail of the account that applies in
 * the Region with a selector for the type and category ("stop logging on a trail … disables
 * CloudTrail Insights"), or an event data store with Insights on. Data-event Insights belong to
 * the trail named in insightSource.
 */
export function insightsEnabled(sources: InsightSources, key: SeriesKey): boolean {
  for (const t of sources.trails()) {
    if (!trailApplies(t, key.account, key.region)) continue;
    if (key.category === "Data" && key.insightSource !== t.trailArn) continue;
    if (
      t.insightSelectors.some(
        (s) => s.InsightType === key.insightType && categoriesOf(s).includes(key.category),
      )
    )
      return true;
  }
  if (key.category !== "Management") return false;
  return (sources.eventDataStores?.() ?? []).some(
    (s) =>
      s.accountId === key.account &&
      (s.regions === "all" || s.regions.includes(key.region)) &&
      s.insightTypes.includes(key.insightType),
  );
}

/** A trail with data-event Insights on, and the data events it selects. */
export interface DataInsightTrail {
  arn: string;
  selects: EventPredicate;
  accountId: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
}

/** Trails whose data events are analysed (their own selectors decide which events count). */
export function dataInsightTrails(sources: InsightSources): DataInsightTrail[] {
  return sources
    .trails()
    .filter((t) => t.isLogging && t.insightSelectors.some((s) => categoriesOf(s).includes("Data")))
    .map((t) => ({
      arn: t.trailArn,
      selects: compileSelectors(t),
      accountId: t.accountId,
      homeRegion: t.homeRegion,
      isMultiRegionTrail: t.isMultiRegionTrail,
    }));
}

export function dataTrailSelects(t: DataInsightTrail, e: CloudTrailEvent): boolean {
  const account = e.recipientAccountId ?? e.userIdentity?.accountId;
  return account === t.accountId && (t.isMultiRegionTrail || e.awsRegion === t.homeRegion) && t.selects(e);
}
