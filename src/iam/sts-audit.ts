/**
 * How STS calls become CloudTrail records, matched against real records (invictus-ir and
 * Stratus Red Team datasets): eventSource sts.amazonaws.com; AssumeRole and GetCallerIdentity
 * are recorded with readOnly true (GetSessionToken and GetFederationToken with false);
 * GetCallerIdentity has null requestParameters and responseElements; AssumeRole's
 * responseElements carry the access key id, session token and expiration (Java date format)
 * but never the secret access key.
 */
import type { EventResource, JsonObject } from "../events/cloudtrail-event.js";
import { formatParameterTime } from "../events/event-time.js";
import type { ServiceAudit } from "../server/service-audit.js";

const WRITE_OPERATIONS = new Set(["GetSessionToken", "GetFederationToken"]);

export const stsAudit = {
  eventSource: "sts.amazonaws.com",
  // CloudTrail records GetCallerIdentity too (19 real records in the shared datasets).
  isRecorded: (_operation: string) => true,
  isReadOnly: (operation: string) => !WRITE_OPERATIONS.has(operation),

  requestParameters(operation: string, input: Record<string, unknown>): JsonObject | null {
    if (operation !== "AssumeRole") return null;
    const out: JsonObject = {};
    if (typeof input.RoleArn === "string") out.roleArn = input.RoleArn;
    if (typeof input.RoleSessionName === "string") out.roleSessionName = input.RoleSessionName;
    const duration = Number(input.DurationSeconds);
    if (input.DurationSeconds !== undefined && Number.isFinite(duration)) out.durationSeconds = duration;
    return Object.keys(out).length > 0 ? out : null;
  },

  responseElements(
    operation: string,
    _input: Record<string, unknown>,
    output: Record<string, unknown>,
  ): JsonObject | null {
    if (operation !== "AssumeRole") return null;
    const creds = output.Credentials as Record<string, unknown> | undefined;
    const user = output.AssumedRoleUser as Record<string, unknown> | undefined;
    if (!creds || !user) return null;
    const expiration =
      creds.Expiration instanceof Date ? creds.Expiration : new Date(String(creds.Expiration));
    return {
      credentials: {
        accessKeyId: String(creds.AccessKeyId),
        sessionToken: String(creds.SessionToken),
        expiration: formatParameterTime(expiration),
      },
      assumedRoleUser: { assumedRoleId: String(user.AssumedRoleId), arn: String(user.Arn) },
    };
  },

  /** The role, for successful AssumeRole calls only (failed ones carry no resources). */
  resources(
    operation: string,
    input: Record<string, unknown>,
    output: Record<string, unknown> | undefined,
  ): EventResource[] | undefined {
    if (operation !== "AssumeRole" || !output || typeof input.RoleArn !== "string") return undefined;
    const accountId = /^arn:[^:]+:iam::(\d{12}):/.exec(input.RoleArn)?.[1];
    return [{ accountId, type: "AWS::IAM::Role", ARN: input.RoleArn }];
  },
} satisfies ServiceAudit;
