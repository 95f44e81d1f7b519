/**
 * A verified Principal as CloudTrail writes it in `userIdentity`. Key order follows real
 * records; secrets are never part of a Principal, so never part of the result.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
import type { UserIdentity } from "../events/cloudtrail-event.js";
import type { Principal } from "./principal.js";

export function toUserIdentity(p: Principal): UserIdentity {
  // Built in place rather than spread from a base: this runs for every recorded call.
  const base: UserIdentity = {
    type: p.type,
    principalId: p.principalId,
    arn: p.arn,
    accountId: p.accountId,
    accessKeyId: p.accessKeyId,
  };
  switch (p.type) {
    case "IAMUser":
      base.userName = p.userName;
      return base;
    case "Root":
      // A root identity carries the account alias as userName when the account has one.
      if (p.userName) base.userName = p.userName;
      return base;
    case "AssumedRole": {
      const s = p.session;
      if (!s) return base;
      return Object.assign(base, {
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
      });
    }
  }
}
