/**
 * Parses and validates an identities document (the `--identities` file, or the data folder's
 * own identities.json). Every problem is an IdentitiesFileError naming the JSON path, e.g.
 * `accounts[0].id must be 12 digits`; no message ever contains a secret access key.
 */
import {
  type AccessKeyRecord,
  type AccountRecord,
  DEFAULT_MAX_SESSION_DURATION,
  deterministicId,
  type IdentitiesDocument,
  type RoleRecord,
  type UserRecord,
} from "./identity-model.js";
import { jsonErrorPosition } from "./json-syntax.js";

export class IdentitiesFileError extends Error {
  constructor(
    /** The problem alone, e.g. `accounts[0].id must be 12 digits`. */
    readonly problem: string,
    readonly file?: string,
  ) {
    super(file ? `identities file ${file}: ${problem}` : problem);
    this.name = "IdentitiesFileError";
  }
}

export interface ParseIdentitiesOptions {
  /** Named in error messages. */
  file?: string;
  /** createDate for keys that do not state one (the file's mtime keeps it stable). */
  defaultCreateDate: string;
}

type Json = Record<string, unknown>;

const NAME = /^[\w+=,.@-]{1,64}$/;
const ALIAS = /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/;
const ACCESS_KEY_ID = /^\w{16,128}$/;
const PATH = /^\/(?:[\u0021-\u007e]+\/)?$/;

export function parseIdentities(text: string, opts: ParseIdentitiesOptions): IdentitiesDocument {
  const fail = (problem: string): never => {
    throw new IdentitiesFileError(problem, opts.file);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail(describeJsonError(text));
  }
  const v = new Validator(fail, opts.defaultCreateDate);
  const root = v.object(raw, "", ["accounts", "$schema"]);
  const accounts = v.array(root.accounts, "accounts", true).map((a, i) => v.account(a, `accounts[${i}]`));
  if (accounts.length === 0) fail("accounts must list at least one account");
  v.checkUnique(
    accounts.map((a, i) => ({ key: a.id, path: `accounts[${i}].id` })),
    "duplicate account id",
  );
  return { accounts };
}

function describeJsonError(text: string): string {
  const position = jsonErrorPosition(text) ?? text.length;
  const before = text.slice(0, position).split("\n");
  const column = (before.at(-1)?.length ?? 0) + 1;
  return `invalid JSON at position ${position} (line ${before.length}, column ${column})`;
}

class Validator {
  private readonly keyIds = new Map<string, string>();

  constructor(
    private readonly fail: (problem: string) => never,
    private readonly defaultCreateDate: string,
  ) {}

  object(value: unknown, path: string, known: string[]): Json {
    const where = path || "the document";
    if (typeof value !== "object" || value === null || Array.isArray(value))
      this.fail(`${where} must be a JSON object`);
    const obj = value as Json;
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) this.fail(`${path ? `${path}.` : ""}${key} is not a known field`);
    }
    return obj;
  }

  array(value: unknown, path: string, required = false): unknown[] {
    if (value === undefined && !required) return [];
    if (!Array.isArray(value)) this.fail(`${path} must be an array`);
    return value as unknown[];
  }

  string(value: unknown, path: string, pattern: RegExp, rule: string): string {
    if (typeof value !== "string" || !pattern.test(value)) this.fail(`${path} must be ${rule}`);
    return value as string;
  }

  optionalBoolean(value: unknown, path: string): boolean {
    if (value === undefined) return false;
    if (typeof value !== "boolean") this.fail(`${path} must be true or false`);
    return value as boolean;
  }

  account(value: unknown, path: string): AccountRecord {
    const a = this.object(value, path, ["id", "alias", "users", "roles", "rootAccessKeys"]);
    const id = this.string(a.id, `${path}.id`, /^\d{12}$/, "12 digits");
    const alias =
      a.alias === undefined
        ? undefined
        : this.string(a.alias, `${path}.alias`, ALIAS, "3 to 63 lower-case letters, digits and hyphens");
    const users = this.array(a.users, `${path}.users`).map((u, i) => this.user(u, `${path}.users[${i}]`, id));
    const roles = this.array(a.roles, `${path}.roles`).map((r, i) => this.role(r, `${path}.roles[${i}]`, id));
    const rootAccessKeys = this.array(a.rootAccessKeys, `${path}.rootAccessKeys`).map((k, i) =>
      this.accessKey(k, `${path}.rootAccessKeys[${i}]`),
    );
    // IAM names are unique per account regardless of case.
    this.checkUnique(
      users.map((u, i) => ({ key: u.name.toLowerCase(), path: `${path}.users[${i}].name` })),
      "duplicate user name",
    );
    this.checkUnique(
      roles.map((r, i) => ({ key: r.name.toLowerCase(), path: `${path}.roles[${i}].name` })),
      "duplicate role name",
    );
    return { id, ...(alias ? { alias } : {}), users, roles, rootAccessKeys };
  }

  user(value: unknown, path: string, accountId: string): UserRecord {
    const u = this.object(value, path, ["name", "userId", "admin", "accessKeys"]);
    const name = this.string(u.name, `${path}.name`, NAME, "1 to 64 characters from [A-Za-z0-9_+=,.@-]");
    const userId =
      u.userId === undefined
        ? deterministicId("AIDA", accountId, name)
        : this.string(
            u.userId,
            `${path}.userId`,
            /^AIDA[A-Z0-9]{17}$/,
            "AIDA followed by 17 upper-case letters or digits",
          );
    const accessKeys = this.array(u.accessKeys, `${path}.accessKeys`).map((k, i) =>
      this.accessKey(k, `${path}.accessKeys[${i}]`),
    );
    return { name, userId, admin: this.optionalBoolean(u.admin, `${path}.admin`), accessKeys };
  }

  role(value: unknown, path: string, accountId: string): RoleRecord {
    const r = this.object(value, path, ["name", "roleId", "path", "trust", "maxSessionDuration", "admin"]);
    const name = this.string(r.name, `${path}.name`, NAME, "1 to 64 characters from [A-Za-z0-9_+=,.@-]");
    const roleId =
      r.roleId === undefined
        ? deterministicId("AROA", accountId, name)
        : this.string(
            r.roleId,
            `${path}.roleId`,
            /^AROA[A-Z0-9]{17}$/,
            "AROA followed by 17 upper-case letters or digits",
          );
    const rolePath =
      r.path === undefined ? "/" : this.string(r.path, `${path}.path`, PATH, "'/' or '/segments/'");
    const maxSessionDuration = r.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION;
    if (
      !Number.isInteger(maxSessionDuration) ||
      (maxSessionDuration as number) < 3600 ||
      (maxSessionDuration as number) > 43200
    ) {
      this.fail(`${path}.maxSessionDuration must be a whole number of seconds from 3600 to 43200`);
    }
    const role: RoleRecord = {
      name,
      roleId,
      path: rolePath,
      maxSessionDuration: maxSessionDuration as number,
      admin: this.optionalBoolean(r.admin, `${path}.admin`),
    };
    if (r.trust !== undefined) role.trust = this.trust(r.trust, `${path}.trust`);
    return role;
  }

  trust(value: unknown, path: string): { accounts?: string[] } {
    const t = this.object(value, path, ["accounts"]);
    if (t.accounts === undefined) return {};
    const accounts = this.array(t.accounts, `${path}.accounts`).map((id, i) =>
      this.string(id, `${path}.accounts[${i}]`, /^\d{12}$/, "12 digits"),
    );
    return { accounts };
  }

  accessKey(value: unknown, path: string): AccessKeyRecord {
    const k = this.object(value, path, ["accessKeyId", "secretAccessKey", "status", "createDate"]);
    const accessKeyId = this.string(
      k.accessKeyId,
      `${path}.accessKeyId`,
      ACCESS_KEY_ID,
      "16 to 128 letters or digits",
    );
    if (accessKeyId.startsWith("ASIA")) {
      this.fail(`${path}.accessKeyId must not start with ASIA (reserved for temporary credentials)`);
    }
    const earlier = this.keyIds.get(accessKeyId);
    if (earlier)
      this.fail(`duplicate access key id ${accessKeyId} at ${path}.accessKeyId (first at ${earlier})`);
    this.keyIds.set(accessKeyId, `${path}.accessKeyId`);
    // Never echo the value: it is a secret.
    const secret = k.secretAccessKey;
    if (typeof secret !== "string" || !/^\S{8,128}$/.test(secret)) {
      this.fail(`${path}.secretAccessKey must be 8 to 128 characters without spaces`);
    }
    const status = k.status ?? "Active";
    if (status !== "Active" && status !== "Inactive")
      this.fail(`${path}.status must be "Active" or "Inactive"`);
    const createDate = k.createDate ?? this.defaultCreateDate;
    if (typeof createDate !== "string" || Number.isNaN(Date.parse(createDate))) {
      this.fail(`${path}.createDate must be an ISO 8601 date`);
    }
    return {
      accessKeyId,
      secretAccessKey: secret as string,
      status: status as AccessKeyRecord["status"],
      createDate: new Date(createDate as string).toISOString(),
    };
  }

  checkUnique(items: Array<{ key: string; path: string }>, problem: string): void {
    const seen = new Map<string, string>();
    for (const { key, path } of items) {
      const first = seen.get(key);
      if (first) this.fail(`${problem} at ${path} (first at ${first})`);
      seen.set(key, path);
    }
  }
}

/** The document as it is written back to identities.json: every field explicit. */
export function serializeIdentities(doc: IdentitiesDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
