/**
 * The identity model OpenTrail persists in `<dataDir>/identities.json` (or loads from an
 * `--identities` file): accounts with their IAM users, access keys and roles.
 */
import { createHash, randomBytes, randomInt } from "node:crypto";

export type AccessKeyStatus = "Active" | "Inactive";

export interface AccessKeyRecord {
  /** `AKIA` + 16 for generated keys; any 16–128 word characters from an identities file. */
  accessKeyId: string;
  secretAccessKey: string;
  status: AccessKeyStatus;
  /** ISO 8601. */
  createDate: string;
}

export interface UserRecord {
  name: string;
  /** `AIDA` + 17 upper-case letters and digits. */
  userId: string;
  /** May call every API (policy evaluation lives in `iam/policy`). */
  admin: boolean;
  accessKeys: AccessKeyRecord[];
}

export interface RoleRecord {
  name: string;
  /** `AROA` + 17 upper-case letters and digits. */
  roleId: string;
  /** `/` or `/a/b/`; part of the role ARN, not of the assumed-role ARN. */
  path: string;
  /** Accounts whose principals may assume the role. Absent: the role's own account. */
  trust?: { accounts?: string[] };
  /** Longest session AssumeRole grants, 3600–43200 seconds. */
  maxSessionDuration: number;
  /** Sessions of this role may call every API. */
  admin: boolean;
}

export interface AccountRecord {
  /** 12 digits. */
  id: string;
  alias?: string;
  users: UserRecord[];
  roles: RoleRecord[];
  /** Keys that sign as the account's root user. */
  rootAccessKeys: AccessKeyRecord[];
}

export interface IdentitiesDocument {
  accounts: AccountRecord[];
}

export const DEFAULT_MAX_SESSION_DURATION = 3600;

// Base32 as AWS's own unique ids use it: upper-case letters and the digits 2–7.
const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function encodeId(bytes: Uint8Array, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ID_ALPHABET[(bytes[i] ?? 0) % ID_ALPHABET.length];
  return out;
}

/** A stable id for a named entity, so an identities file yields the same ids on every start. */
export function deterministicId(prefix: "AIDA" | "AROA", accountId: string, name: string): string {
  const digest = createHash("sha256").update(`opentrail:${prefix}:${accountId}:${name}`).digest();
  return prefix + encodeId(digest, 17);
}

export function randomAccessKeyId(prefix: "AKIA" | "ASIA"): string {
  return prefix + encodeId(randomBytes(16), 16);
}

/** 40 characters of base64, like AWS secret access keys. */
export function randomSecretAccessKey(): string {
  return randomBytes(30).toString("base64");
}

/** An opaque, long bearer value (AWS's are several hundred base64 characters). */
export function randomSessionToken(): string {
  return `OTST${randomBytes(192).toString("base64")}`;
}

export function randomAccountId(): string {
  return Array.from({ length: 12 }, () => randomInt(10)).join("");
}

export function userArn(accountId: string, user: Pick<UserRecord, "name">): string {
  return `arn:aws:iam::${accountId}:user/${user.name}`;
}

export function rootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

export function roleArn(accountId: string, role: Pick<RoleRecord, "name" | "path">): string {
  return `arn:aws:iam::${accountId}:role${role.path}${role.name}`;
}

/** The path is not part of an assumed-role ARN. */
export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

/** Who may assume a role: the accounts it trusts, by default its own. */
export function trustedAccounts(accountId: string, role: RoleRecord): string[] {
  return role.trust?.accounts ?? [accountId];
}
