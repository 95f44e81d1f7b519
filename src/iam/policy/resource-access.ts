import type { Principal } from "../principal.js";
import { evaluate } from "./evaluate.js";
import type { Decision, Policy, PolicyPrincipal, RequestContextValues } from "./types.js";

/**
 * Access to a resource that carries a resource-based policy (an S3 bucket, a CloudTrail channel
 * or event data store), while there are no IAM identity policies yet: principals of the owner's
 * account may do anything the policy does not explicitly deny; other accounts and service
 * principals only what the policy allows.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
export interface ResourceAccessInfo {
  ownerAccountId: string;
  policy?: Policy;
}

export interface ResourceAccessRequest {
  principal: PolicyPrincipal;
  /** `s3:PutObject`, `cloudtrail:StartQuery`, ... */
  action: string;
  /** ARN of the resource acted on. */
  resource: string;
  context?: RequestContextValues;
}

export interface ResourceAccessResult {
  allowed: boolean;
  /** What the resource policy alone said. */
  decision: Decision;
}

export function authorizeResourceAccess(
  resource: ResourceAccessInfo,
  request: ResourceAccessRequest,
): ResourceAccessResult {
  const decision = resource.policy
    ? evaluate(resource.policy, { ...request, context: request.context ?? {} })
    : "ImplicitDeny";
  if (decision === "Deny") return { allowed: false, decision };
  const ownAccount =
    request.principal.type === "AWS" && request.principal.accountId === resource.ownerAccountId;
  return { allowed: ownAccount || decision === "Allow", decision };
}

export function policyPrincipal(p: Principal): PolicyPrincipal {
  return { type: "AWS", id: p.arn, accountId: p.accountId };
}

const PRINCIPAL_TYPE: Record<Principal["type"], string> = {
  Root: "Account",
  IAMUser: "User",
  AssumedRole: "AssumedRole",
};

/** Global condition keys of a SigV4-signed request. */
export function principalContext(
  p: Principal,
  sourceIp: string,
  now: Date,
  secure: boolean,
): RequestContextValues {
  return {
    "aws:PrincipalArn": p.session?.roleArn ?? p.arn,
    "aws:PrincipalAccount": p.accountId,
    "aws:PrincipalType": PRINCIPAL_TYPE[p.type],
    "aws:userid": p.principalId,
    "aws:username": p.type === "IAMUser" ? p.userName : undefined,
    "aws:SourceIp": sourceIp,
    "aws:SecureTransport": secure ? "true" : "false",
    "aws:CurrentTime": now.toISOString(),
    "aws:EpochTime": String(Math.floor(now.getTime() / 1000)),
  };
}
