import type {
  AdvancedEventSelector,
  GetInsightSelectorsRequest,
  GetInsightSelectorsResponse,
  InsightSelector,
  PutInsightSelectorsRequest,
  PutInsightSelectorsResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../server/request-context.js";
import type { TrailInsightsAccess } from "../trails/index.js";
import { InsightErrors } from "./insight-errors.js";
import { assertPrerequisites, loggedEvents, validateInsightSelectors } from "./insight-selector-rules.js";
import type { InsightsStore } from "./insights-store.js";

/** An event data store as Insights needs to see it (provided by Lake). */
export interface EventDataStoreView {
  arn: string;
  accountId: string;
  region: string;
  multiRegionEnabled: boolean;
  status: string;
  advancedEventSelectors: AdvancedEventSelector[];
}

export interface EventDataStoreDirectory {
  /** The store with this ID (lower case) if the account owns one; undefined otherwise. */
  find(id: string, accountId: string): EventDataStoreView | undefined;
}

const STORE_ARN = /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:(\d{12}):eventdatastore\/([a-zA-Z0-9-]{36})$/;
const STORE_ID = /^[a-zA-Z0-9-]{36}$/;

/**
 * PutInsightSelectors and GetInsightSelectors, on a trail (TrailName) or on an event data store
 * (EventDataStore, with the InsightsDestination store that receives the Insights events).
 * An empty list turns Insights off. Trails keep their selectors (src/trails); event data
 * stores' are kept in the Insights store.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html
 */
export function selectorHandlers(deps: {
  trails: TrailInsightsAccess;
  store: InsightsStore;
  eventDataStores?: EventDataStoreDirectory;
}) {
  const findStore = (ref: string, accountId: string): EventDataStoreView => {
    const m = STORE_ARN.exec(ref);
    if (!m && !STORE_ID.test(ref)) throw InsightErrors.storeArnInvalid(ref);
    const id = (m ? (m[2] as string) : ref).toLowerCase();
    const found = m && m[1] !== accountId ? undefined : deps.eventDataStores?.find(id, accountId);
    if (!found) throw InsightErrors.storeNotFound(ref);
    return found;
  };

  const putOnStore = (
    input: PutInsightSelectorsRequest,
    ctx: RequestContext,
  ): PutInsightSelectorsResponse => {
    const selectors = input.InsightSelectors ?? [];
    const source = findStore(input.EventDataStore as string, ctx.principal.accountId);
    if (selectors.length === 0) {
      deps.store.putStoreInsights(source.arn, undefined);
      return { EventDataStoreArn: source.arn, InsightSelectors: [] };
    }
    if (!input.InsightsDestination)
      throw InsightErrors.invalidParameterCombination(
        "To enable Insights on an event data store, specify both EventDataStore and InsightsDestination.",
      );
    validateInsightSelectors(selectors, "eventDataStore");
    if (source.status !== "ENABLED") throw InsightErrors.inactiveStore(source.arn);
    assertPrerequisites(
      selectors,
      loggedEvents({ advancedEventSelectors: source.advancedEventSelectors }),
      "The event data store",
    );
    const destination = findStore(input.InsightsDestination, ctx.principal.accountId);
    if (!collectsInsights(destination.advancedEventSelectors))
      throw InsightErrors.invalidParameter(
        `The destination event data store ${destination.arn} must collect Insights events (eventCategory Insight).`,
      );
    deps.store.putStoreInsights(source.arn, {
      accountId: source.accountId,
      regions: source.multiRegionEnabled ? "all" : [source.region],
      destination: destination.arn,
      selectors,
    });
    return {
      EventDataStoreArn: source.arn,
      InsightsDestination: destination.arn,
      InsightSelectors: selectors,
    };
  };

  return {
    PutInsightSelectors: async (
      input: PutInsightSelectorsRequest,
      ctx: RequestContext,
    ): Promise<PutInsightSelectorsResponse> => {
      assertTarget(input.TrailName, input.EventDataStore, input.InsightsDestination);
      if (input.EventDataStore !== undefined) return putOnStore(input, ctx);
      const trail = deps.trails.find(input.TrailName, ctx.principal.accountId, ctx.region, true);
      const selectors: InsightSelector[] = input.InsightSelectors ?? [];
      validateInsightSelectors(selectors, "trail");
      assertPrerequisites(selectors, loggedEvents(trail), "The trail");
      const saved = deps.trails.put(trail.trailArn, selectors);
      return { TrailARN: saved.trailArn, InsightSelectors: saved.insightSelectors };
    },

    GetInsightSelectors: async (
      input: GetInsightSelectorsRequest,
      ctx: RequestContext,
    ): Promise<GetInsightSelectorsResponse> => {
      if (input.TrailName !== undefined && input.EventDataStore !== undefined)
        throw InsightErrors.invalidParameterCombination(
          "Specify either TrailName or EventDataStore, not both.",
        );
      if (input.EventDataStore !== undefined) {
        const source = findStore(input.EventDataStore, ctx.principal.accountId);
        const saved = deps.store.storeInsights(source.arn);
        if (!saved) throw InsightErrors.notEnabled(source.arn, "Event data store");
        return {
          EventDataStoreArn: source.arn,
          InsightsDestination: saved.destination,
          InsightSelectors: saved.selectors,
        };
      }
      if (input.TrailName === undefined)
        throw InsightErrors.invalidParameterCombination("Specify either TrailName or EventDataStore.");
      const trail = deps.trails.find(input.TrailName, ctx.principal.accountId, ctx.region, false);
      if (trail.insightSelectors.length === 0) throw InsightErrors.notEnabled(trail.trailArn);
      return { TrailARN: trail.trailArn, InsightSelectors: trail.insightSelectors };
    },
  };
}

function assertTarget(
  trail: string | undefined,
  store: string | undefined,
  destination: string | undefined,
): void {
  if (trail !== undefined && (store !== undefined || destination !== undefined))
    throw InsightErrors.invalidParameterCombination(
      "TrailName cannot be used with EventDataStore or InsightsDestination.",
    );
  if (trail === undefined && store === undefined)
    throw InsightErrors.invalidParameterCombination("Specify either TrailName or EventDataStore.");
  if (store === undefined && destination !== undefined)
    throw InsightErrors.invalidParameterCombination("InsightsDestination requires EventDataStore.");
}

/** A store whose advanced selectors take Insights events (eventCategory Equals Insight). */
function collectsInsights(selectors: AdvancedEventSelector[]): boolean {
  return selectors.some((s) =>
    (s.FieldSelectors ?? []).some((f) => f.Field === "eventCategory" && (f.Equals ?? []).includes("Insight")),
  );
}
