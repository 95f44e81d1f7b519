import { PolicyError } from "./policy-error.js";
import type { PolicyPrincipal, PrincipalMatcher } from "./types.js";

/**
 * The Principal / NotPrincipal element: `"*"`, or `{"AWS": ..., "Service": ..., "Federated": ...,
 * "CanonicalUser": ...}` with a string or a list of strings each.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
const INVALID = "Invalid principal in policy";
const ACCOUNT_ID = /^\d{12}$/;
const AWS_ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.+)$/;
const SERVICE = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;

function strings(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || list.some((v) => typeof v !== "string" || v === ""))
    throw new PolicyError(INVALID);
  return list as string[];
}

function addAws(matcher: PrincipalMatcher, value: string): void {
  if (value === "*") {
    matcher.any = true;
    return;
  }
  if (ACCOUNT_ID.test(value)) {
    matcher.accounts.add(value);
    return;
  }
  const m = AWS_ARN.exec(value);
  if (!m || value.includes("*") || value.includes("?")) throw new PolicyError(INVALID);
  const [, , account = "", resource = ""] = m;
  if (resource === "root") matcher.accounts.add(account);
  else matcher.arns.add(value);
}

export function compilePrincipal(raw: unknown): PrincipalMatcher {
  const matcher: PrincipalMatcher = {
    any: false,
    accounts: new Set(),
    arns: new Set(),
    services: new Set(),
    other: [],
  };
  if (raw === "*") {
    matcher.any = true;
    return matcher;
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new PolicyError(INVALID);
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) throw new PolicyError(INVALID);
  for (const [type, value] of entries) {
    for (const v of strings(value)) {
      if (type === "AWS") addAws(matcher, v);
      else if (type === "Service") {
        if (v !== "*" && !SERVICE.test(v)) throw new PolicyError(INVALID);
        if (v === "*") matcher.any = true;
        else matcher.services.add(v.toLowerCase());
      } else if (type === "Federated" || type === "CanonicalUser") matcher.other.push(`${type}:${v}`);
      else throw new PolicyError(INVALID);
    }
  }
  return matcher;
}

/** `arn:aws:iam::<acct>:role/<path>/<name>` for a role session ARN, to match a role principal. */
function roleArnsOf(arn: string): string[] {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  if (!m) return [];
  return [`arn:${m[1]}:iam::${m[2]}:role/${m[3]}`];
}

function roleNameOf(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

function accountOf(principal: PolicyPrincipal): string | undefined {
  return principal.accountId ?? AWS_ARN.exec(principal.id)?.[2];
}

export function principalMatches(matcher: PrincipalMatcher, principal: PolicyPrincipal): boolean {
  if (matcher.any) return true;
  if (principal.type === "Service") return matcher.services.has(principal.id.toLowerCase());
  const account = accountOf(principal);
  if (account !== undefined && matcher.accounts.has(account)) return true;
  if (matcher.arns.has(principal.id)) return true;
  // A role principal covers its sessions; role paths are not part of a session ARN, so compare names.
  for (const roleArn of roleArnsOf(principal.id)) {
    if (matcher.arns.has(roleArn)) return true;
    const name = roleNameOf(roleArn);
    for (const listed of matcher.arns) {
      if (name !== undefined && roleNameOf(listed) === name && listed.split(":")[4] === account) return true;
    }
  }
  return false;
}
