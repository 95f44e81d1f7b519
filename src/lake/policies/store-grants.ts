import type { RequestContext } from "../../server/request-context.js";
import { LakeErrors } from "../lake-errors.js";
import type { LakeRuntime, StoreEntry } from "../lake-runtime.js";
import type { QueryRecord } from "../query/query-model.js";
import { parseStoreRef } from "../stores/store-model.js";

/**
 * What an event data store's resource policy grants callers of other accounts: the store named
 * by an ARN or ID if the caller's account owns it or the policy allows the caller `action`
 * (`cloudtrail:ListQueries`, `cloudtrail:GetEventDataStore`, ...); EventDataStoreNotFound
 * otherwise, as for a store that does not exist. Either way a call on another account's store
 * is recorded for its owner too (ctx.resourceAccountId).
 */
export function storeFor(rt: LakeRuntime, ref: string, ctx: RequestContext, action: string): StoreEntry {
  const parsed = parseStoreRef(ref);
  const entry = rt.stores.get(parsed.id);
  const r = entry?.record;
  if (
    entry &&
    r &&
    r.accountId !== ctx.principal.accountId &&
    (parsed.accountId ?? r.accountId) === r.accountId
  ) {
    // Another account's store: its owner gets a copy of the call, allowed or refused.
    ctx.resourceAccountId = r.accountId;
    if (rt.policies.allows(r, ctx, action)) return entry;
  }
  return rt.findStore(ctx.principal.accountId, ref);
}

/**
 * A query of another account's stores stays readable (DescribeQuery, GetQueryResults) and
 * cancellable only while every store's policy still allows the caller that action: removing
 * the grant removes access to results already computed from the store's events.
 */
export function checkQueryGrant(rt: LakeRuntime, q: QueryRecord, ctx: RequestContext, action: string): void {
  if (q.ownerAccountId === undefined) return;
  for (const arn of q.storeArns) {
    const entry = rt.stores.get(arn.split("/").pop() ?? "");
    if (!entry || !rt.policies.allows(entry.record, ctx, action))
      throw LakeErrors.accessDenied(ctx.principal.arn, action, arn);
  }
}
