import { type Policy, PolicyError, parsePolicy } from "../../iam/policy/index.js";
import { LakeErrors } from "../lake-errors.js";

/**
 * What CloudTrail accepts as the resource-based policy of a channel or an event data store
 * (PutResourcePolicy), checked once when it is submitted; anything else is
 * ResourcePolicyNotValidException. IAM's grammar first (the shared parser), then CloudTrail's
 * own requirements:
 * - 1 to 20 statements, each naming 1 to 50 principals in `Principal` (accounts, users, roles);
 * - every Resource is the ARN of the resource the policy is attached to;
 * - a channel's policy allows only `cloudtrail-data:PutAuditEvents`; an event data store's only
 *   the query actions and GetEventDataStore (plus, for dashboards, `cloudtrail.amazonaws.com`
 *   running StartQuery, whose statement names dashboard ARNs).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/security_iam_resource-based-policy-examples.html
 */
export type PolicyResourceType = "channel" | "eventdatastore";

export const MAX_POLICY_LENGTH = 8192;
const MAX_STATEMENTS = 20;
const MAX_PRINCIPALS = 50;
const DASHBOARD_SERVICE = "cloudtrail.amazonaws.com";

const ACTIONS: Record<PolicyResourceType, ReadonlySet<string>> = {
  channel: new Set(["cloudtrail-data:putauditevents"]),
  eventdatastore: new Set(
    [
      "StartQuery",
      "CancelQuery",
      "ListQueries",
      "DescribeQuery",
      "GetQueryResults",
      "GenerateQuery",
      "GenerateQueryResultsSummary",
      "GetEventDataStore",
    ].map((a) => `cloudtrail:${a.toLowerCase()}`),
  ),
};

const ACTION_LIST: Record<PolicyResourceType, string> = {
  channel: "cloudtrail-data:PutAuditEvents",
  eventdatastore:
    "cloudtrail:StartQuery, CancelQuery, ListQueries, DescribeQuery, GetQueryResults, GenerateQuery, GenerateQueryResultsSummary and GetEventDataStore",
};

type Json = Record<string, unknown>;

const invalid = (message: string) => LakeErrors.resourcePolicyNotValid(message);
const asList = (raw: unknown): unknown[] => (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]);

/** The compiled policy of `resourceArn`, or ResourcePolicyNotValidException saying why not. */
export function parseResourcePolicy(type: PolicyResourceType, resourceArn: string, text: string): Policy {
  if (text.length < 1 || text.length > MAX_POLICY_LENGTH)
    throw invalid(`A resource policy must be 1 to ${MAX_POLICY_LENGTH} characters.`);
  const dashboards = dashboardArnPrefix(resourceArn);
  let policy: Policy;
  try {
    policy = parsePolicy(text, {
      resourcePolicy: true,
      actionServices: type === "channel" ? ["cloudtrail-data"] : ["cloudtrail"],
      resourceAllowed: (r) => r === resourceArn || (type === "eventdatastore" && r.startsWith(dashboards)),
    });
  } catch (e) {
    if (e instanceof PolicyError) throw invalid(e.message);
    throw e;
  }
  const statements = asList((JSON.parse(text) as Json).Statement) as Json[];
  if (statements.length > MAX_STATEMENTS)
    throw invalid(`A resource policy can have at most ${MAX_STATEMENTS} statements.`);
  for (const st of statements) checkStatement(type, resourceArn, dashboards, st);
  return policy;
}

function checkStatement(type: PolicyResourceType, resourceArn: string, dashboards: string, st: Json): void {
  if (st.Principal === undefined) throw invalid("Each statement must name its principals in Principal.");
  if (st.NotAction !== undefined)
    throw invalid(`NotAction is not supported; the policy may allow only ${ACTION_LIST[type]}.`);
  for (const action of asList(st.Action) as string[])
    if (!ACTIONS[type].has(action.toLowerCase()))
      throw invalid(`Action ${action} is not supported; the policy may allow only ${ACTION_LIST[type]}.`);
  const count =
    st.Principal === "*"
      ? 1
      : Object.values(st.Principal as Json).reduce<number>((n, v) => n + asList(v).length, 0);
  if (count > MAX_PRINCIPALS) throw invalid(`A statement can name at most ${MAX_PRINCIPALS} principals.`);
  const services = st.Principal === "*" ? [] : asList((st.Principal as Json).Service);
  const names = asList(st.Resource) as string[];
  if (type === "channel" || services.length === 0) {
    if (services.length > 0)
      throw invalid("A channel's policy names accounts, users or roles as principals.");
    if (names.some((r) => r !== resourceArn)) throw invalid(`The policy's Resource must be ${resourceArn}.`);
    return;
  }
  // The statement that lets CloudTrail refresh dashboards from this event data store.
  if (services.some((s) => s !== DASHBOARD_SERVICE) || Object.keys(st.Principal as Json).length > 1)
    throw invalid(`The only service principal allowed is ${DASHBOARD_SERVICE}.`);
  if ((asList(st.Action) as string[]).some((a) => a.toLowerCase() !== "cloudtrail:startquery"))
    throw invalid(`${DASHBOARD_SERVICE} may only be allowed cloudtrail:StartQuery.`);
  if (names.some((r) => r !== resourceArn && !r.startsWith(dashboards)))
    throw invalid(`The policy's Resource must be ${resourceArn} or dashboards of its account.`);
}

/** `arn:aws:cloudtrail:<region>:<account>:dashboard/`, the dashboards of the resource's account. */
function dashboardArnPrefix(resourceArn: string): string {
  return `${resourceArn.split(":").slice(0, 5).join(":")}:dashboard/`;
}
