import { compileConditions } from "./conditions.js";
import { PolicyError } from "./policy-error.js";
import { compilePrincipal } from "./principals.js";
import type { CompiledStatement, Effect, Policy, ValueMatcher } from "./types.js";
import { compileValueMatcher, splitArn } from "./values.js";
import { compileGlob } from "./wildcard.js";

/**
 * Parses and validates a policy document once, when it is submitted. Errors carry the text S3
 * answers in `MalformedPolicy` (IAM's grammar:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
 */
export interface ParsePolicyOptions {
  /** Resource-based policies (bucket policies) must name a Principal and a Resource. */
  resourcePolicy?: boolean;
  /** Service prefixes an action may have (`["s3"]` for a bucket policy); any when omitted. */
  actionServices?: string[];
  /** Extra check of every Resource/NotResource value (a bucket policy may only name its bucket). */
  resourceAllowed?: (resource: string) => boolean;
}

const VERSIONS = new Set(["2012-10-17", "2008-10-17"]);
const TOP_LEVEL = new Set(["Version", "Id", "Statement"]);
const STATEMENT_FIELDS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function stringList(raw: unknown, message: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || list.some((v) => typeof v !== "string" || v === ""))
    throw new PolicyError(message);
  return list as string[];
}

function compileActions(raw: unknown, options: ParsePolicyOptions): ValueMatcher[] {
  return stringList(raw, "Policy has invalid action").map((action) => {
    if (action !== "*") {
      if (!ACTION.test(action)) throw new PolicyError("Policy has invalid action");
      const service = action.slice(0, action.indexOf(":")).toLowerCase();
      if (options.actionServices && !options.actionServices.includes(service)) {
        throw new PolicyError("Policy has invalid action");
      }
    }
    const m = compileGlob(action, true);
    return (value: string) => m(value);
  });
}

function compileResources(raw: unknown, version: string, options: ParsePolicyOptions): ValueMatcher[] {
  return stringList(raw, "Policy has invalid resource").map((resource) => {
    if (resource !== "*" && (!resource.startsWith("arn:") || !splitArn(resource))) {
      throw new PolicyError("Policy has invalid resource");
    }
    if (options.resourceAllowed && !options.resourceAllowed(resource)) {
      throw new PolicyError("Policy has invalid resource");
    }
    return compileValueMatcher(resource, "glob", version);
  });
}

function effectOf(raw: unknown): Effect {
  if (raw === undefined) throw new PolicyError("Missing required field Effect");
  if (raw !== "Allow" && raw !== "Deny") throw new PolicyError(`Invalid effect: ${String(raw)}`);
  return raw;
}

function exactlyOne(st: Json, a: string, b: string, message: string, required: boolean): void {
  if (st[a] !== undefined && st[b] !== undefined) throw new PolicyError(message);
  if (required && st[a] === undefined && st[b] === undefined)
    throw new PolicyError(`Missing required field ${a}`);
}

function compileStatement(st: unknown, version: string, options: ParsePolicyOptions): CompiledStatement {
  if (!isObject(st)) throw new PolicyError("Policy has an invalid statement");
  for (const field of Object.keys(st)) {
    if (!STATEMENT_FIELDS.has(field)) throw new PolicyError(`Unknown field ${field}`);
  }
  if (st.Sid !== undefined && typeof st.Sid !== "string")
    throw new PolicyError("Statement IDs (SID) must be strings");
  const effect = effectOf(st.Effect);
  const resourcePolicy = options.resourcePolicy ?? false;
  exactlyOne(st, "Principal", "NotPrincipal", "Invalid principal in policy", resourcePolicy);
  exactlyOne(st, "Action", "NotAction", "Policy has invalid action", true);
  exactlyOne(st, "Resource", "NotResource", "Policy has invalid resource", resourcePolicy);
  return {
    sid: st.Sid as string | undefined,
    effect,
    principal: st.Principal === undefined ? undefined : compilePrincipal(st.Principal),
    notPrincipal: st.NotPrincipal === undefined ? undefined : compilePrincipal(st.NotPrincipal),
    actions: st.Action === undefined ? undefined : compileActions(st.Action, options),
    notActions: st.NotAction === undefined ? undefined : compileActions(st.NotAction, options),
    resources: st.Resource === undefined ? undefined : compileResources(st.Resource, version, options),
    notResources:
      st.NotResource === undefined ? undefined : compileResources(st.NotResource, version, options),
    conditions: compileConditions(st.Condition, version),
  };
}

function parseJson(json: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new PolicyError("This policy contains invalid Json");
  }
  if (!isObject(doc)) throw new PolicyError("This policy contains invalid Json");
  return doc;
}

export function parsePolicy(json: string, options: ParsePolicyOptions = {}): Policy {
  const doc = parseJson(json);
  for (const field of Object.keys(doc)) {
    if (!TOP_LEVEL.has(field)) throw new PolicyError(`Unknown field ${field}`);
  }
  const version = doc.Version === undefined ? "2008-10-17" : doc.Version;
  if (typeof version !== "string" || !VERSIONS.has(version)) {
    throw new PolicyError("The policy must contain a valid version string");
  }
  if (doc.Id !== undefined && typeof doc.Id !== "string") throw new PolicyError("Policy Id must be a string");
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) throw new PolicyError("Missing required field Statement");
  const statements = list.map((st) => compileStatement(st, version, options));
  const sids = statements.flatMap((s) => (s.sid ? [s.sid] : []));
  if (new Set(sids).size !== sids.length) {
    throw new PolicyError("Statement IDs (SID) in a single policy must be unique.");
  }
  return { version, id: doc.Id as string | undefined, statements, source: json };
}
