export { evaluate } from "./evaluate.js";
export { type ParsePolicyOptions, parsePolicy } from "./parse-policy.js";
export { PolicyError } from "./policy-error.js";
export {
  authorizeResourceAccess,
  policyPrincipal,
  principalContext,
  type ResourceAccessInfo,
  type ResourceAccessRequest,
  type ResourceAccessResult,
} from "./resource-access.js";
export type {
  ContextValue,
  Decision,
  Effect,
  Policy,
  PolicyPrincipal,
  PolicyRequest,
  RequestContextValues,
} from "./types.js";
