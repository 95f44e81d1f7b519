import type { LookupEventsRequest, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import type { Handler } from "../server/request-context.js";
import type { HistoryIndex } from "./history-index.js";

export interface HistoryServiceOptions {
  /** The time lookups are evaluated at; default: when the request was received. */
  clock?: () => Date;
}

export interface HistoryService {
  LookupEvents: Handler<LookupEventsRequest, LookupEventsResponse>;
}

/**
 * The event-history operations of the CloudTrail API. A caller sees only its own account's
 * events in the region its request was signed for, as in CloudTrail.
 */
export function createHistoryService(index: HistoryIndex, opts: HistoryServiceOptions = {}): HistoryService {
  return {
    LookupEvents: async (input, ctx) =>
      index.lookupEvents(
        input,
        { accountId: ctx.principal.accountId, region: ctx.region },
        opts.clock?.() ?? ctx.receivedAt,
      ),
  };
}
