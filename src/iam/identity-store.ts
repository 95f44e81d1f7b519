/**
 * Accounts, users, access keys and roles, and the temporary credentials AssumeRole issues.
 * Sources, in order: an `--identities` file (read-only configuration), else
 * `<dataDir>/identities.json`, else a default account created on first start (admin user with
 * a random key pair, role OpenTrailAdmin) and written there with mode 0600.
 */
import { readFileSync, statSync } from "node:fs";
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, silentLogger } from "../config/logger.js";
import { formatEventTime } from "../events/event-time.js";
import { SECRET_FILE_MODE, writeFileAtomic } from "./atomic-file.js";
import { IdentitiesFileError, parseIdentities, serializeIdentities } from "./identities-file.js";
import {
  type AccessKeyRecord,
  type AccountRecord,
  DEFAULT_MAX_SESSION_DURATION,
  deterministicId,
  type IdentitiesDocument,
  type RoleRecord,
  randomAccessKeyId,
  randomAccountId,
  randomSecretAccessKey,
  randomSessionToken,
  roleArn,
  type UserRecord,
} from "./identity-model.js";
import type { Principal } from "./principal.js";
import { rootPrincipal, sessionPrincipal, userPrincipal } from "./principals.js";
import { type SessionRecord, SessionStore } from "./session-store.js";

export const IDENTITIES_FILE = "identities.json";
export const SESSIONS_FILE = "sessions.json";
export const DEFAULT_ADMIN_USER = "admin";
export const DEFAULT_ADMIN_ROLE = "OpenTrailAdmin";

export interface IdentityStoreOptions {
  dataDir: string;
  /** Load identities from this file instead of the data folder (it is never written). */
  identitiesFile?: string;
  logger?: Logger;
  now?: () => Date;
}

export interface AdminCredentials {
  accountId: string;
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** What the edge needs to verify a request and attribute it. */
export interface AccessKeyLookup {
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  principal: Principal;
}

export interface RoleLookup {
  accountId: string;
  role: RoleRecord;
  arn: string;
}

export interface NewSession {
  role: RoleLookup;
  sessionName: string;
  durationSeconds: number;
  source: Principal;
}

interface KeyOwner {
  account: AccountRecord;
  user?: UserRecord;
  key: AccessKeyRecord;
}

export class IdentityStore {
  private readonly keys = new Map<string, KeyOwner>();
  private readonly roles = new Map<string, RoleLookup>();

  private constructor(
    private readonly doc: IdentitiesDocument,
    /** True when this start created the default account and admin key pair. */
    readonly created: boolean,
    private readonly sessions: SessionStore,
    private readonly now: () => Date,
  ) {
    for (const account of doc.accounts) {
      for (const key of account.rootAccessKeys) this.keys.set(key.accessKeyId, { account, key });
      for (const user of account.users) {
        for (const key of user.accessKeys) this.keys.set(key.accessKeyId, { account, user, key });
      }
      for (const role of account.roles) {
        const arn = roleArn(account.id, role);
        this.roles.set(arn, { accountId: account.id, role, arn });
      }
    }
  }

  static async open(opts: IdentityStoreOptions): Promise<IdentityStore> {
    const logger = opts.logger ?? silentLogger;
    const now = opts.now ?? (() => new Date());
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    const { doc, created } = await loadIdentities(opts, logger, now);
    const sessions = await SessionStore.open(join(opts.dataDir, SESSIONS_FILE), logger, now);
    return new IdentityStore(doc, created, sessions, now);
  }

  /** The first admin user's first active key, for `opentrail credentials` and the first start. */
  adminCredentials(): AdminCredentials {
    return adminCredentialsOf(this.doc);
  }

  /**
   * Long-term keys of users and root (active ones only) and unexpired-or-recently-expired
   * AssumeRole credentials whose role still exists. Unknown: undefined.
   */
  lookupAccessKey(accessKeyId: string): AccessKeyLookup | undefined {
    const owner = this.keys.get(accessKeyId);
    if (owner) {
      if (owner.key.status !== "Active") return undefined;
      const principal = owner.user
        ? userPrincipal(owner.account, owner.user, accessKeyId)
        : rootPrincipal(owner.account, accessKeyId);
      return { secretAccessKey: owner.key.secretAccessKey, principal };
    }
    const session = this.sessions.get(accessKeyId);
    const role = session && this.roles.get(session.roleArn);
    // A role deleted (or deleted and recreated) since invalidates its sessions, as in AWS.
    if (!session || !role || role.role.roleId !== session.roleId) return undefined;
    return {
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiration: new Date(session.expiration),
      principal: sessionPrincipal(session, role.role),
    };
  }

  findRole(arn: string): RoleLookup | undefined {
    return this.roles.get(arn);
  }

  /** Issues and durably stores temporary credentials for a role. */
  async createSession(req: NewSession): Promise<SessionRecord> {
    const start = new Date(Math.floor(this.now().getTime() / 1000) * 1000);
    let accessKeyId = randomAccessKeyId("ASIA");
    while (this.keys.has(accessKeyId) || this.sessions.get(accessKeyId))
      accessKeyId = randomAccessKeyId("ASIA");
    const session: SessionRecord = {
      accessKeyId,
      secretAccessKey: randomSecretAccessKey(),
      sessionToken: randomSessionToken(),
      accountId: req.role.accountId,
      roleName: req.role.role.name,
      roleId: req.role.role.roleId,
      roleArn: req.role.arn,
      sessionName: req.sessionName,
      creationDate: formatEventTime(start),
      expiration: formatEventTime(new Date(start.getTime() + req.durationSeconds * 1000)),
      sourceArn: req.source.arn,
    };
    await this.sessions.add(session);
    return session;
  }
}

async function loadIdentities(
  opts: IdentityStoreOptions,
  logger: Logger,
  now: () => Date,
): Promise<{ doc: IdentitiesDocument; created: boolean }> {
  if (opts.identitiesFile) {
    const doc = await readIdentities(opts.identitiesFile);
    logger.info("loaded identities", { file: opts.identitiesFile, ...counts(doc) });
    return { doc, created: false };
  }
  const file = join(opts.dataDir, IDENTITIES_FILE);
  const mode = await stat(file).then(
    (s) => s.mode & 0o777,
    (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return undefined;
      throw e;
    },
  );
  if (mode === undefined) {
    const doc = defaultIdentities(now());
    await writeFileAtomic(file, serializeIdentities(doc));
    const admin = adminCredentialsOf(doc);
    logger.info("created default account", {
      file,
      accountId: admin.accountId,
      userName: admin.userName,
      accessKeyId: admin.accessKeyId,
    });
    return { doc, created: true };
  }
  if ((mode & 0o077) !== 0) {
    logger.warn("identities file was readable by others; restricting it to its owner", {
      file,
      mode: mode.toString(8),
    });
    await chmod(file, SECRET_FILE_MODE);
  }
  const doc = await readIdentities(file);
  logger.info("loaded identities", { file, ...counts(doc) });
  return { doc, created: false };
}

async function readIdentities(file: string): Promise<IdentitiesDocument> {
  let text: string;
  let mtime: Date;
  try {
    [text, mtime] = await Promise.all([readFile(file, "utf8"), stat(file).then((s) => s.mtime)]);
  } catch (e) {
    throw new IdentitiesFileError(
      `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      file,
    );
  }
  return parseIdentities(text, { file, defaultCreateDate: mtime.toISOString() });
}

function counts(doc: IdentitiesDocument): Record<string, number> {
  return {
    accounts: doc.accounts.length,
    users: doc.accounts.reduce((n, a) => n + a.users.length, 0),
    roles: doc.accounts.reduce((n, a) => n + a.roles.length, 0),
  };
}

/** A new account with an admin user holding one fresh key pair, and an admin role it trusts. */
export function defaultIdentities(now: Date): IdentitiesDocument {
  const accountId = randomAccountId();
  const createDate = now.toISOString();
  return {
    accounts: [
      {
        id: accountId,
        users: [
          {
            name: DEFAULT_ADMIN_USER,
            userId: deterministicId("AIDA", accountId, DEFAULT_ADMIN_USER),
            admin: true,
            accessKeys: [
              {
                accessKeyId: randomAccessKeyId("AKIA"),
                secretAccessKey: randomSecretAccessKey(),
                status: "Active",
                createDate,
              },
            ],
          },
        ],
        roles: [
          {
            name: DEFAULT_ADMIN_ROLE,
            roleId: deterministicId("AROA", accountId, DEFAULT_ADMIN_ROLE),
            path: "/",
            maxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
            admin: true,
          },
        ],
        rootAccessKeys: [],
      },
    ],
  };
}

export function adminCredentialsOf(doc: IdentitiesDocument): AdminCredentials {
  for (const account of doc.accounts) {
    for (const user of account.users) {
      const key = user.admin ? user.accessKeys.find((k) => k.status === "Active") : undefined;
      if (key) {
        return {
          accountId: account.id,
          userName: user.name,
          accessKeyId: key.accessKeyId,
          secretAccessKey: key.secretAccessKey,
        };
      }
    }
  }
  throw new IdentitiesFileError("no user has admin: true and an active access key");
}

/**
 * For `opentrail credentials`: the admin key pair of a data folder (or of an identities file),
 * read without starting a store.
 */
export function readAdminCredentials(dataDir: string, identitiesFile?: string): AdminCredentials {
  const file = identitiesFile ?? join(dataDir, IDENTITIES_FILE);
  let text: string;
  let mtime: Date;
  try {
    text = readFileSync(file, "utf8");
    mtime = statSync(file).mtime;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !identitiesFile) {
      throw new IdentitiesFileError(
        "no identities yet; start the server once (opentrail serve) to create them",
        file,
      );
    }
    throw new IdentitiesFileError(`cannot read the file: ${code ?? String(e)}`, file);
  }
  return adminCredentialsOf(parseIdentities(text, { file, defaultCreateDate: mtime.toISOString() }));
}
