/**
 * A verified caller: who signed the request, resolved from the access key in its SigV4
 * credential scope. Turned into a CloudTrail `userIdentity` by `toUserIdentity`.
 */
export type PrincipalType = "Root" | "IAMUser" | "AssumedRole";

export interface Principal {
  type: PrincipalType;
  accountId: string;
  /** `arn:aws:iam::<acct>:user/<name>`, `arn:aws:iam::<acct>:root`, `arn:aws:sts::<acct>:assumed-role/<role>/<session>` */
  arn: string;
  /** AIDA… for users, the account id for root, `AROA…:<session>` for assumed roles. */
  principalId: string;
  accessKeyId: string;
  /** IAM user name (IAMUser) or account alias (Root). */
  userName?: string;
  /** Users marked admin in the identity store may call every API. */
  admin: boolean;
  /** Present for temporary credentials (AssumeRole). */
  session?: {
    roleName: string;
    roleId: string;
    roleArn: string;
    sessionName: string;
    creationDate: string;
    expiration: string;
  };
}
