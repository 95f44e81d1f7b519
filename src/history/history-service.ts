import type { LookupEventsRequest, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import type { EncodedJsonOutput } from "../protocol/aws-json.js";
import type { Handler } from "../server/request-context.js";
import type { HistoryScope } from "./history-index.js";

/** A HistoryIndex, or a HistoryThread running one. */
export interface HistoryLookup {
  lookupEvents(
    input: LookupEventsRequest,
    scope: HistoryScope,
    now: Date,
  ): LookupEventsResponse | Promise<LookupEventsResponse>;
  /** The same answer already serialised for the wire, where that is cheaper (HistoryThread). */
  lookupEventsJson?(input: LookupEventsRequest, scope: HistoryScope, now: Date): Promise<EncodedJsonOutput>;
}

export interface HistoryServiceOptions {
  /** The time lookups are evaluated at; default: when the request was received. */
  clock?: () => Date;
}

export interface HistoryService {
  LookupEvents: Handler<LookupEventsRequest, LookupEventsResponse | EncodedJsonOutput>;
}

/**
 * The event-history operations of the CloudTrail API. A caller sees only its own account's
 * events in the region its request was signed for, as in CloudTrail.
 */
export function createHistoryService(index: HistoryLookup, opts: HistoryServiceOptions = {}): HistoryService {
  return {
    LookupEvents: async (input, ctx) => {
      const scope = { accountId: ctx.principal.accountId, region: ctx.region };
      const now = opts.clock?.() ?? ctx.receivedAt;
      return index.lookupEventsJson
        ? index.lookupEventsJson(input, scope, now)
        : index.lookupEvents(input, scope, now);
    },
  };
}
