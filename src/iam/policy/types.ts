/**
 * The compiled form of an IAM-style policy (bucket policy today, identity policies later).
 * Built once by `parsePolicy`, evaluated many times by `evaluate`.
 */
export type Effect = "Allow" | "Deny";
export type Decision = "Allow" | "Deny" | "ImplicitDeny";

/** The caller as a policy sees it. `id` is the ARN for AWS principals, the service name for services. */
export interface PolicyPrincipal {
  type: "AWS" | "Service";
  id: string;
  accountId?: string;
}

export type ContextValue = string | string[] | undefined;
export type RequestContextValues = Record<string, ContextValue>;

export interface PolicyRequest {
  principal: PolicyPrincipal;
  /** `service:Action`, e.g. `s3:PutObject`. */
  action: string;
  /** ARN of the resource acted on, e.g. `arn:aws:s3:::bucket/key`. */
  resource: string;
  /** Condition keys (`aws:SourceArn`, `s3:x-amz-acl`, ...). Key lookup ignores case, as IAM's does. */
  context: RequestContextValues;
}

/** Value of a policy variable such as `aws:username` (from `${aws:username}`); undefined when unknown. */
export type Resolver = (variable: string) => string | undefined;

export type ValueMatcher = (value: string, resolve: Resolver) => boolean;

export interface CompiledCondition {
  /** Whole operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  key: string;
  test: (context: RequestContextValues, resolve: Resolver) => boolean;
}

export interface PrincipalMatcher {
  /** `*` anywhere in the principal: everyone. */
  any: boolean;
  /** Account ids whose every principal matches (`"123456789012"` or `arn:aws:iam::123456789012:root`). */
  accounts: Set<string>;
  /** Exact principal ARNs (users, roles, role sessions). */
  arns: Set<string>;
  services: Set<string>;
  /** Federated and canonical-user principals: parsed, kept for display, never matched here. */
  other: string[];
}

export interface CompiledStatement {
  sid?: string;
  effect: Effect;
  principal?: PrincipalMatcher;
  notPrincipal?: PrincipalMatcher;
  actions?: ValueMatcher[];
  notActions?: ValueMatcher[];
  resources?: ValueMatcher[];
  notResources?: ValueMatcher[];
  conditions: CompiledCondition[];
}

export interface Policy {
  version: string;
  id?: string;
  statements: CompiledStatement[];
  /** The document as submitted, returned unchanged by GetBucketPolicy. */
  source: string;
}
