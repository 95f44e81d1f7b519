import type { AdvancedEventSelector, EventSelector, InsightSelector } from "@aws-sdk/client-cloudtrail";
import { epochOf, type TrailConfig } from "./trail-model.js";
import { parseTrailRef } from "./trail-name.js";
import type { TrailEntry } from "./trail-registry.js";
import type { TrailsRuntime } from "./trails-runtime.js";

/** What Insights needs to know about a trail. */
export interface TrailInsightSettings {
  trailArn: string;
  name: string;
  accountId: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isLogging: boolean;
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
  /** Empty when Insights are off. */
  insightSelectors: InsightSelector[];
}

/**
 * The trails' side of Insights: resolving a trail as the trail API does, storing its insight
 * selectors, and listing the trails that have them. The rules about which selectors a trail may
 * have live with Insights (src/insights); the trail only stores them and delivers accordingly.
 */
export interface TrailInsightsAccess {
  /**
   * A trail by name or ARN as the calling Region sees it (TrailNotFound, InvalidTrailName,
   * CloudTrailARNInvalid); with `home`, InvalidHomeRegion outside its home Region.
   */
  find(nameOrArn: string | undefined, accountId: string, region: string, home: boolean): TrailInsightSettings;
  /** Stores the selectors (empty: Insights off); delivery applies them from the log's end on. */
  put(trailArn: string, selectors: InsightSelector[]): TrailInsightSettings;
  /** Every trail with insight selectors, logging or not. */
  list(): TrailInsightSettings[];
}

export function trailInsightsAccess(rt: TrailsRuntime): TrailInsightsAccess {
  const view = (entry: TrailEntry) => toSettings(entry.record.config, entry.record.status.isLogging);
  return {
    find(nameOrArn, accountId, region, home) {
      const ref = parseTrailRef(nameOrArn);
      return view(
        home ? rt.registry.resolveHome(ref, accountId, region) : rt.registry.resolve(ref, accountId, region),
      );
    },
    put(trailArn, selectors) {
      const entry = rt.registry.byArn(trailArn);
      if (!entry) throw new Error(`no trail ${trailArn}`);
      const config: TrailConfig = {
        ...entry.record.config,
        insightSelectors: selectors.length > 0 ? selectors : undefined,
      };
      entry.record.config = config;
      rt.registry.save(entry, epochOf(config, entry.record.status.isLogging, rt.logEnd(), rt.now()));
      return view(entry);
    },
    list() {
      return rt.registry
        .all()
        .filter((e) => (e.record.config.insightSelectors?.length ?? 0) > 0)
        .map(view);
    },
  };
}

function toSettings(c: TrailConfig, isLogging: boolean): TrailInsightSettings {
  return {
    trailArn: c.arn,
    name: c.name,
    accountId: c.accountId,
    homeRegion: c.homeRegion,
    isMultiRegionTrail: c.isMultiRegionTrail,
    isLogging,
    eventSelectors: c.eventSelectors,
    advancedEventSelectors: c.advancedEventSelectors,
    insightSelectors: c.insightSelectors ?? [],
  };
}
