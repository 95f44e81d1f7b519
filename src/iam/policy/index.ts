export { evaluate } from "./evaluate.js";
export { type ParsePolicyOptions, parsePolicy } from "./parse-policy.js";
export { PolicyError } from "./policy-error.js";
export type {
  ContextValue,
  Decision,
  Effect,
  Policy,
  PolicyPrincipal,
  PolicyRequest,
  RequestContextValues,
} from "./types.js";
