export interface AdminCredentials {
  accountId: string;
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export type CredentialsFormat = "text" | "env" | "json" | "profile";

/** Renders the admin key pair for a shell (`--env`), a program (`--json`) or ~/.aws files (`--profile`). */
export function formatCredentials(
  c: AdminCredentials,
  region: string,
  format: CredentialsFormat,
  profile = "opentrail",
): string {
  switch (format) {
    case "env":
      return [
        `export AWS_ACCESS_KEY_ID=${c.accessKeyId}`,
        `export AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}`,
        `export AWS_DEFAULT_REGION=${region}`,
      ].join("\n");
    case "json":
      return JSON.stringify({ ...c, region });
    case "profile":
      return [
        `[${profile}]`,
        `aws_access_key_id = ${c.accessKeyId}`,
        `aws_secret_access_key = ${c.secretAccessKey}`,
        `region = ${region}`,
      ].join("\n");
    default:
      return [
        `Account:           ${c.accountId}`,
        `User:              ${c.userName}`,
        `AccessKeyId:       ${c.accessKeyId}`,
        `SecretAccessKey:   ${c.secretAccessKey}`,
        `Region:            ${region}`,
      ].join("\n");
  }
}
