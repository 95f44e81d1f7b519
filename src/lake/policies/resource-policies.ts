import {
  authorizeResourceAccess,
  type Policy,
  parsePolicy,
  policyPrincipal,
  principalContext,
  type RequestContextValues,
} from "../../iam/policy/index.js";
import type { RequestContext } from "../../server/request-context.js";

/** A channel or event data store as its resource-based policy sees it. */
export interface PolicyHolder {
  arn: string;
  accountId: string;
  /** The document PutResourcePolicy accepted, kept verbatim in the resource's record. */
  resourcePolicy?: string;
}

/**
 * The compiled resource policies of channels and event data stores (parsed once per text,
 * evaluated on every cross-account call) and the one access rule they share with buckets:
 * the owner's account may do what the policy does not deny, any other account only what it
 * allows.
 */
export class ResourcePolicies {
  private readonly compiled = new Map<string, Policy>();

  of(holder: PolicyHolder): Policy | undefined {
    if (!holder.resourcePolicy) return undefined;
    const cached = this.compiled.get(holder.arn);
    if (cached && cached.source === holder.resourcePolicy) return cached;
    const policy = parsePolicy(holder.resourcePolicy, { resourcePolicy: true });
    this.compiled.set(holder.arn, policy);
    return policy;
  }

  /** Whether the caller may perform `action` (`cloudtrail:StartQuery`, ...) on the resource. */
  allows(holder: PolicyHolder, ctx: RequestContext, action: string, extra?: RequestContextValues): boolean {
    const p = ctx.principal;
    const policy = this.of(holder);
    if (!policy) return p.accountId === holder.accountId;
    // OpenTrail's API is plain HTTP unless a TLS proxy fronts it, which it cannot see.
    const context = principalContext(p, ctx.sourceIPAddress, ctx.receivedAt, false);
    return authorizeResourceAccess(
      { ownerAccountId: holder.accountId, policy },
      { principal: policyPrincipal(p), action, resource: holder.arn, context: Object.assign(context, extra) },
    ).allowed;
  }
}
