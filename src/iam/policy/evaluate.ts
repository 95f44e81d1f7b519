import { principalMatches } from "./principals.js";
import type {
  CompiledStatement,
  Decision,
  Policy,
  PolicyRequest,
  RequestContextValues,
  Resolver,
} from "./types.js";

/**
 * Evaluates one policy: an explicit Deny in any matching statement wins, else any matching
 * Allow allows, else the result is an implicit deny. Pure; the caller combines this with the
 * other rules of its service (for S3: bucket-owner access, Object Lock).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
function lowerKeys(context: RequestContextValues): RequestContextValues {
  const out: RequestContextValues = {};
  for (const [k, v] of Object.entries(context)) out[k.toLowerCase()] = v;
  return out;
}

function anyMatch(matchers: CompiledStatement["actions"], value: string, resolve: Resolver): boolean {
  return (matchers ?? []).some((m) => m(value, resolve));
}

function statementApplies(
  st: CompiledStatement,
  request: PolicyRequest,
  context: RequestContextValues,
  resolve: Resolver,
): boolean {
  if (st.principal && !principalMatches(st.principal, request.principal)) return false;
  if (st.notPrincipal && principalMatches(st.notPrincipal, request.principal)) return false;
  if (st.actions && !anyMatch(st.actions, request.action, resolve)) return false;
  if (st.notActions && anyMatch(st.notActions, request.action, resolve)) return false;
  if (st.resources && !anyMatch(st.resources, request.resource, resolve)) return false;
  if (st.notResources && anyMatch(st.notResources, request.resource, resolve)) return false;
  return st.conditions.every((c) => c.test(context, resolve));
}

export function evaluate(policy: Policy, request: PolicyRequest): Decision {
  const context = lowerKeys(request.context);
  const resolve: Resolver = (variable) => {
    const value = context[variable.toLowerCase()];
    return typeof value === "string" ? value : undefined;
  };
  let allowed = false;
  for (const st of policy.statements) {
    if (!statementApplies(st, request, context, resolve)) continue;
    if (st.effect === "Deny") return "Deny";
    allowed = true;
  }
  return allowed ? "Allow" : "ImplicitDeny";
}
