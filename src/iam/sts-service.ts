/**
 * AWS STS on OpenTrail's port: GetCallerIdentity and AssumeRole, answering as STS does
 * (codes, statuses and messages observed from the real service).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import type {
  AssumeRoleRequest,
  AssumeRoleResponse,
  GetCallerIdentityRequest,
  GetCallerIdentityResponse,
} from "@aws-sdk/client-sts";
import { invalidAction, type QueryProtocol } from "../protocol/aws-query.js";
import { AwsError, CommonErrors } from "../protocol/errors.js";
import type { Handler, RequestContext } from "../server/request-context.js";
import { assumedRoleArn, trustedAccounts } from "./identity-model.js";
import type { NewSession, RoleLookup } from "./identity-store.js";
import type { SessionRecord } from "./session-store.js";
import { stsAudit } from "./sts-audit.js";
import {
  CHAINED_MAX_DURATION_SECONDS,
  checkRange,
  checkRequiredString,
  MAX_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  parseDurationSeconds,
  ROLE_ARN_RULE,
  SESSION_NAME_RULE,
  stsValidation,
  validationError,
} from "./sts-validation.js";

export const STS_PROTOCOL: QueryProtocol = {
  namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
  version: "2011-06-15",
};

/** What STS needs from the identity store (IdentityStore provides it). */
export interface StsIdentities {
  findRole(arn: string): RoleLookup | undefined;
  createSession(req: NewSession): Promise<SessionRecord>;
}

export interface StsHandlers {
  GetCallerIdentity: Handler<GetCallerIdentityRequest, GetCallerIdentityResponse>;
  AssumeRole: Handler<AssumeRoleRequest, AssumeRoleResponse>;
}

export interface StsService {
  /** Runs an operation on decoded query parameters (strings); resolves with its output. */
  handle(
    operation: string,
    input: Record<string, unknown>,
    ctx: RequestContext,
  ): Promise<Record<string, unknown>>;
  handlers: StsHandlers;
  protocol: QueryProtocol;
  audit: typeof stsAudit;
}

/** STS operations OpenTrail knows but does not implement; anything else is InvalidAction. */
const NOT_IMPLEMENTED = new Set([
  "AssumeRoleWithSAML",
  "AssumeRoleWithWebIdentity",
  "AssumeRoot",
  "DecodeAuthorizationMessage",
  "GetAccessKeyInfo",
  "GetDelegatedAccessToken",
  "GetFederationToken",
  "GetSessionToken",
  "GetWebIdentityToken",
]);

export function createStsService(identities: StsIdentities): StsService {
  const handlers: StsHandlers = {
    GetCallerIdentity: async (_input, ctx) => getCallerIdentity(ctx),
    AssumeRole: (input, ctx) => assumeRole(identities, input, ctx),
  };
  return {
    handlers,
    protocol: STS_PROTOCOL,
    audit: stsAudit,
    async handle(operation, input, ctx) {
      switch (operation) {
        case "GetCallerIdentity":
          return { ...(await handlers.GetCallerIdentity({}, ctx)) };
        case "AssumeRole":
          return { ...(await handlers.AssumeRole(toAssumeRoleRequest(input), ctx)) };
        default:
          if (NOT_IMPLEMENTED.has(operation)) throw CommonErrors.notImplemented(operation);
          throw invalidAction(operation, STS_PROTOCOL.version);
      }
    },
  };
}

/** UserId is the caller's unique id: AIDA… for users, AROA…:session for roles, the account for root. */
function getCallerIdentity(ctx: RequestContext): GetCallerIdentityResponse {
  const p = ctx.principal;
  return { Arn: p.arn, UserId: p.principalId, Account: p.accountId };
}

/** Query parameters arrive as strings; DurationSeconds is the one number AssumeRole reads. */
function toAssumeRoleRequest(input: Record<string, unknown>): AssumeRoleRequest {
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return {
    RoleArn: text(input.RoleArn),
    RoleSessionName: text(input.RoleSessionName),
    DurationSeconds: parseDurationSeconds(input.DurationSeconds),
  };
}

async function assumeRole(
  identities: StsIdentities,
  input: AssumeRoleRequest,
  ctx: RequestContext,
): Promise<AssumeRoleResponse> {
  const { RoleArn, RoleSessionName, DurationSeconds } = input;
  const violations = [
    ...checkRequiredString(RoleArn, "roleArn", ROLE_ARN_RULE),
    ...checkRequiredString(RoleSessionName, "roleSessionName", SESSION_NAME_RULE),
    ...(DurationSeconds === undefined
      ? []
      : checkRange(
          DurationSeconds,
          String(DurationSeconds),
          "durationSeconds",
          MIN_DURATION_SECONDS,
          MAX_DURATION_SECONDS,
        )),
  ];
  if (violations.length > 0) throw validationError(violations);
  const roleArn = RoleArn as string;
  const sessionName = RoleSessionName as string;
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) throw stsValidation(`${roleArn} is invalid`);

  const caller = ctx.principal;
  if (caller.type === "Root") throw accessDenied("Roles may not be assumed by root accounts.");
  const role = identities.findRole(roleArn);
  // Another account's role: that account gets its copy of the call, allowed or refused.
  if (role && role.accountId !== caller.accountId) ctx.resourceAccountId = role.accountId;
  if (!role || !trustedAccounts(role.accountId, role.role).includes(caller.accountId)) {
    throw accessDenied(
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  }
  const duration = DurationSeconds ?? 3600;
  if (duration > role.role.maxSessionDuration) {
    throw stsValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  if (caller.type === "AssumedRole" && duration > CHAINED_MAX_DURATION_SECONDS) {
    throw stsValidation(
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  }

  const session = await identities.createSession({
    role,
    sessionName,
    durationSeconds: duration,
    source: caller,
  });
  return {
    AssumedRoleUser: {
      AssumedRoleId: `${session.roleId}:${sessionName}`,
      Arn: assumedRoleArn(session.accountId, session.roleName, sessionName),
    },
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: new Date(session.expiration),
    },
  };
}

function accessDenied(message: string): AwsError {
  return new AwsError("AccessDenied", message, 403);
}
