import type {
  EventSelector,
  GetEventSelectorsRequest,
  GetEventSelectorsResponse,
  ListPublicKeysRequest,
  ListPublicKeysResponse,
  PutEventSelectorsRequest,
  PutEventSelectorsResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../server/request-context.js";
import { keysOverlapping, toPublicKey } from "./public-keys.js";
import { validateAdvancedEventSelectors, validateEventSelectors } from "./selectors/index.js";
import { TrailErrors } from "./trail-errors.js";
import { epochOf } from "./trail-model.js";
import { parseTrailRef } from "./trail-name.js";
import type { TrailsRuntime } from "./trails-runtime.js";

/**
 * PutEventSelectors, GetEventSelectors (reference §1.3, §6) and ListPublicKeys (§4.5).
 * Applying one kind of selectors erases the other; the change applies from the log's current end.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
 */
export function selectorHandlers(rt: TrailsRuntime) {
  return {
    PutEventSelectors: async (
      input: PutEventSelectorsRequest,
      ctx: RequestContext,
    ): Promise<PutEventSelectorsResponse> => {
      const entry = rt.registry.resolveHome(
        parseTrailRef(input.TrailName),
        ctx.principal.accountId,
        ctx.region,
      );
      const basic = input.EventSelectors;
      const advanced = input.AdvancedEventSelectors;
      if ((basic === undefined) === (advanced === undefined))
        throw TrailErrors.invalidParameterCombination(
          "Specify either EventSelectors or AdvancedEventSelectors, but not both.",
        );
      const config = { ...entry.record.config, hasCustomEventSelectors: true };
      if (basic) {
        validateEventSelectors(basic);
        config.eventSelectors = basic.map(withDefaults);
        config.advancedEventSelectors = undefined;
      } else if (advanced) {
        validateAdvancedEventSelectors(advanced);
        config.advancedEventSelectors = advanced;
        config.eventSelectors = undefined;
      }
      entry.record.config = config;
      rt.registry.save(entry, epochOf(config, entry.record.status.isLogging, rt.logEnd(), rt.now()));
      return {
        TrailARN: config.arn,
        EventSelectors: config.eventSelectors,
        AdvancedEventSelectors: config.advancedEventSelectors,
      };
    },

    GetEventSelectors: async (
      input: GetEventSelectorsRequest,
      ctx: RequestContext,
    ): Promise<GetEventSelectorsResponse> => {
      const { config } = rt.registry.resolve(
        parseTrailRef(input.TrailName),
        ctx.principal.accountId,
        ctx.region,
      ).record;
      return {
        TrailARN: config.arn,
        EventSelectors: config.eventSelectors,
        AdvancedEventSelectors: config.advancedEventSelectors,
      };
    },

    /**
     * Every key of the calling Region whose validity window overlaps [StartTime, EndTime]
     * (default: now, i.e. the current key, created if the Region has none yet).
     */
    ListPublicKeys: async (
      input: ListPublicKeysRequest,
      ctx: RequestContext,
    ): Promise<ListPublicKeysResponse> => {
      const now = rt.now();
      const start = input.StartTime?.getTime() ?? now;
      const end = input.EndTime?.getTime() ?? now;
      if (Number.isNaN(start) || Number.isNaN(end) || start > end) throw TrailErrors.invalidTimeRange();
      if (start <= now && now <= end) await rt.keys.current(ctx.region, now);
      return { PublicKeyList: keysOverlapping(rt.keys.list(ctx.region), start, end).map(toPublicKey) };
    },
  };
}

function withDefaults(s: EventSelector): EventSelector {
  return {
    ReadWriteType: s.ReadWriteType ?? "All",
    IncludeManagementEvents: s.IncludeManagementEvents ?? true,
    DataResources: s.DataResources ?? [],
    ExcludeManagementEventSources: s.ExcludeManagementEventSources ?? [],
  };
}
