/**
 * A verified Principal as CloudTrail writes it in `userIdentity`. Key order follows real
 * records; secrets are never part of a Principal, so never part of the result.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
import type { UserIdentity } from "../events/cloudtrail-event.js";
import type { Principal } from "./principal.js";

export function toUserIdentity(p: Principal): UserIdentity {
  const base = {
    type: p.type,
    principalId: p.principalId,
    arn: p.arn,
    accountId: p.accountId,
    accessKeyId: p.accessKeyId,
  };
  switch (p.type) {
    case "IAMUser":
      return { ...base, userName: p.userName };
    case "Root":
      // A root identity carries the account alias as userName when the account has one.
      return p.userName ? { ...base, userName: p.userName } : base;
    case "AssumedRole": {
      const s = p.session;
      if (!s) return base;
      return {
        ...base,
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            principalId: s.roleId,
            arn: s.roleArn,
            accountId: p.accountId,
            userName: s.roleName,
          },
          attributes: { creationDate: s.creationDate, mfaAuthenticated: "false" },
        },
      };
    }
  }
}
