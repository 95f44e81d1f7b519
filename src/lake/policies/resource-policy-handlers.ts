import type {
  DeleteResourcePolicyRequest,
  DeleteResourcePolicyResponse,
  GetResourcePolicyRequest,
  GetResourcePolicyResponse,
  PutResourcePolicyRequest,
  PutResourcePolicyResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../../server/request-context.js";
import { parseChannelRef } from "../channels/channel-model.js";
import { LakeErrors } from "../lake-errors.js";
import type { LakeRuntime } from "../lake-runtime.js";
import { parseStoreRef } from "../stores/store-model.js";
import type { PolicyHolder } from "./resource-policies.js";
import { type PolicyResourceType, parseResourcePolicy } from "./resource-policy-rules.js";

/** Any ARN (`arn:partition:service:region:account:resource`), to tell a bad ARN from an unsupported one. */
const ARN = /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/;
const CLOUDTRAIL_TYPE = /^arn:aws[a-z-]*:cloudtrail:[^:]*:[^:]*:([a-z]+)\//;

/** The channel or event data store an ARN names, in the caller's account. */
interface PolicyTarget {
  type: PolicyResourceType;
  holder: PolicyHolder;
  save(policy: string | undefined): void;
}

/**
 * PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy on channels and event data stores
 * of the caller's account. The policy is kept in the resource's record (so it survives restarts
 * and goes when the resource goes) and enforced by PutAuditEvents and the query operations for
 * callers of other accounts. A dashboard ARN is ResourceNotFoundException, CloudTrail's answer
 * for a dashboard that does not exist (OpenTrail has none); any other resource type, a trail's
 * included, is ResourceTypeNotSupportedException.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutResourcePolicy.html
 */
export function resourcePolicyHandlers(rt: LakeRuntime) {
  return {
    async PutResourcePolicy(
      input: PutResourcePolicyRequest,
      ctx: RequestContext,
    ): Promise<PutResourcePolicyResponse> {
      const target = findTarget(rt, input.ResourceArn ?? "", ctx);
      const text = input.ResourcePolicy ?? "";
      parseResourcePolicy(target.type, target.holder.arn, text);
      target.save(text);
      return { ResourceArn: target.holder.arn, ResourcePolicy: text };
    },

    async GetResourcePolicy(
      input: GetResourcePolicyRequest,
      ctx: RequestContext,
    ): Promise<GetResourcePolicyResponse> {
      const { holder } = findTarget(rt, input.ResourceArn ?? "", ctx);
      if (!holder.resourcePolicy) throw LakeErrors.resourcePolicyNotFound(holder.arn);
      return { ResourceArn: holder.arn, ResourcePolicy: holder.resourcePolicy };
    },

    async DeleteResourcePolicy(
      input: DeleteResourcePolicyRequest,
      ctx: RequestContext,
    ): Promise<DeleteResourcePolicyResponse> {
      const target = findTarget(rt, input.ResourceArn ?? "", ctx);
      if (!target.holder.resourcePolicy) throw LakeErrors.resourcePolicyNotFound(target.holder.arn);
      target.save(undefined);
      return {};
    },
  };
}

function findTarget(rt: LakeRuntime, arn: string, ctx: RequestContext): PolicyTarget {
  if (arn.length < 3 || arn.length > 256 || !ARN.test(arn)) throw LakeErrors.resourceArnNotValid(arn);
  const type = CLOUDTRAIL_TYPE.exec(arn)?.[1];
  if (type === "eventdatastore") return storeTarget(rt, arn, ctx);
  if (type === "channel") return channelTarget(rt, arn, ctx);
  if (type === "dashboard") throw LakeErrors.resourceNotFound(arn);
  throw LakeErrors.resourceTypeNotSupported(arn);
}

function storeTarget(rt: LakeRuntime, arn: string, ctx: RequestContext): PolicyTarget {
  const ref = parsed(() => parseStoreRef(arn), arn);
  const entry = rt.stores.get(ref.id);
  if (!entry || !ownedBy(entry.record, ref.accountId, ctx)) throw LakeErrors.resourceNotFound(arn);
  return {
    type: "eventdatastore",
    holder: entry.record,
    save(policy) {
      entry.record.resourcePolicy = policy;
      rt.saveStore(entry);
      // Sandboxes built for grants of this store are not reused under the new policy.
      rt.sandbox.retire(rt.storeFolder(entry.record));
    },
  };
}

function channelTarget(rt: LakeRuntime, arn: string, ctx: RequestContext): PolicyTarget {
  const ref = parsed(() => parseChannelRef(arn), arn);
  const channel = rt.channels.get(ref.id);
  if (!channel || !ownedBy(channel, ref.accountId, ctx)) throw LakeErrors.resourceNotFound(arn);
  return {
    type: "channel",
    holder: channel,
    save(policy) {
      channel.resourcePolicy = policy;
      rt.db.putRecord("channels", channel.id, channel);
    },
  };
}

/** A resource's policy is managed by its own account only. */
function ownedBy(holder: PolicyHolder, arnAccount: string | undefined, ctx: RequestContext): boolean {
  return holder.accountId === ctx.principal.accountId && arnAccount === holder.accountId;
}

function parsed<T>(parse: () => T, arn: string): T {
  try {
    return parse();
  } catch {
    throw LakeErrors.resourceArnNotValid(arn);
  }
}
