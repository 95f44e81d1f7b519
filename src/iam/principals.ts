/** The Principal each kind of key signs as. */
import {
  type AccountRecord,
  assumedRoleArn,
  type RoleRecord,
  rootArn,
  type UserRecord,
  userArn,
} from "./identity-model.js";
import type { Principal } from "./principal.js";
import type { SessionRecord } from "./session-store.js";

export function userPrincipal(account: AccountRecord, user: UserRecord, accessKeyId: string): Principal {
  return {
    type: "IAMUser",
    accountId: account.id,
    arn: userArn(account.id, user),
    principalId: user.userId,
    accessKeyId,
    userName: user.name,
    admin: user.admin,
  };
}

/** Root may do everything in its account; its userName is the account alias, if any. */
export function rootPrincipal(account: AccountRecord, accessKeyId: string): Principal {
  return {
    type: "Root",
    accountId: account.id,
    arn: rootArn(account.id),
    principalId: account.id,
    accessKeyId,
    ...(account.alias ? { userName: account.alias } : {}),
    admin: true,
  };
}

export function sessionPrincipal(session: SessionRecord, role: RoleRecord): Principal {
  return {
    type: "AssumedRole",
    accountId: session.accountId,
    arn: assumedRoleArn(session.accountId, session.roleName, session.sessionName),
    principalId: `${session.roleId}:${session.sessionName}`,
    accessKeyId: session.accessKeyId,
    admin: role.admin,
    session: {
      roleName: session.roleName,
      roleId: session.roleId,
      roleArn: session.roleArn,
      sessionName: session.sessionName,
      creationDate: session.creationDate,
      expiration: session.expiration,
    },
  };
}
