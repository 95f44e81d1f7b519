import type { LookupEventsRequest, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import type { Handler } from "../server/request-context.js";
import type { HistoryScope } from "./history-index.js";

/** A HistoryIndex, or a HistoryThread running one. */
export interface HistoryLookup {
  lookupEvents(
    input: LookupEventsRequest,
    scope: HistoryScope,
    now: Date,
  ): LookupEventsResponse | Promise<LookupEventsResponse>;
}

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
export function createHistoryService(index: HistoryLookup, opts: HistoryServiceOptions = {}): HistoryService {
  return {
    LookupEvents: async (input, ctx) =>
      index.lookupEvents(
        input,
        { accountId: ctx.principal.accountId, region: ctx.region },
        opts.clock?.() ?? ctx.receivedAt,
      ),
  };
}
