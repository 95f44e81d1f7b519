import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createLogger, type Logger } from "../config/logger.js";
import { IdentitiesFileError } from "./identities-file.js";
import { IDENTITIES_FILE, IdentityStore, readAdminCredentials, SESSIONS_FILE } from "./identity-store.js";

const CI = {
  accessKeyId: "AKIAOPENTRAILCI00001",
  secretAccessKey: "ci-secret-key-0000000000000000000000000000",
};
const ROOT = {
  accessKeyId: "AKIAOPENTRAILROOT001",
  secretAccessKey: "root-secret-key-000000000000000000000000",
};
const OFF = {
  accessKeyId: "AKIAOPENTRAILOFF0001",
  secretAccessKey: "off-secret-key-0000000000000000000000000",
};
const FILE = {
  accounts: [
    {
      id: "123456789012",
      alias: "acme",
      rootAccessKeys: [ROOT],
      users: [
        { name: "ci", admin: true, accessKeys: [CI, { ...OFF, status: "Inactive" }] },
        { name: "reader", accessKeys: [] },
      ],
      roles: [
        { name: "Auditor" },
        { name: "Ops", path: "/team/", admin: true, trust: { accounts: ["210987654321"] } },
      ],
    },
  ],
};

let dir: string;
let lines: string[];
let logger: Logger;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "opentrail-iam-"));
  lines = [];
  logger = createLogger("debug", {}, (l) => lines.push(l));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeFile(content: unknown): string {
  const file = join(dir, "ids.json");
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

const mode = (file: string) => statSync(file).mode & 0o777;

describe("IdentityStore: first start", () => {
  test("creates an account, an admin user with a key pair and the OpenTrailAdmin role, file mode 0600", async () => {
    const dataDir = join(dir, "data");
    const store = await IdentityStore.open({ dataDir, logger });
    assert.equal(store.created, true);
    const file = join(dataDir, IDENTITIES_FILE);
    assert.equal(mode(file), 0o600);
    const admin = store.adminCredentials();
    assert.match(admin.accountId, /^\d{12}$/);
    assert.equal(admin.userName, "admin");
    assert.match(admin.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.match(admin.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);

    const found = store.lookupAccessKey(admin.accessKeyId);
    assert.equal(found?.secretAccessKey, admin.secretAccessKey);
    assert.deepEqual(found?.principal, {
      type: "IAMUser",
      accountId: admin.accountId,
      arn: `arn:aws:iam::${admin.accountId}:user/admin`,
      principalId: found?.principal.principalId,
      accessKeyId: admin.accessKeyId,
      userName: "admin",
      admin: true,
    });
    assert.match(found?.principal.principalId ?? "", /^AIDA[A-Z2-7]{17}$/);
    assert.ok(store.findRole(`arn:aws:iam::${admin.accountId}:role/OpenTrailAdmin`)?.role.admin);

    // The log names the key, never the secret.
    const log = lines.join("");
    assert.match(log, /created default account/);
    assert.ok(log.includes(admin.accessKeyId));
    assert.ok(!log.includes(admin.secretAccessKey));
  });

  test("a restart loads the same identities and does not report them as created", async () => {
    const dataDir = join(dir, "data");
    const first = await IdentityStore.open({ dataDir });
    const second = await IdentityStore.open({ dataDir, logger });
    assert.equal(second.created, false);
    assert.deepEqual(second.adminCredentials(), first.adminCredentials());
    assert.deepEqual(readAdminCredentials(dataDir), first.adminCredentials());
  });

  test("an identities.json readable by others is restricted to its owner, with a warning", async () => {
    const dataDir = join(dir, "data");
    await IdentityStore.open({ dataDir });
    const file = join(dataDir, IDENTITIES_FILE);
    chmodSync(file, 0o644);
    await IdentityStore.open({ dataDir, logger });
    assert.equal(mode(file), 0o600);
    assert.match(lines.join(""), /readable by others/);
  });

  test("readAdminCredentials before any start says what to do", () => {
    assert.throws(() => readAdminCredentials(join(dir, "empty")), /start the server once/);
  });
});

describe("IdentityStore: identities file", () => {
  test("users, root keys and roles from the file; nothing written to the data folder's identities.json", async () => {
    const dataDir = join(dir, "data");
    const store = await IdentityStore.open({ dataDir, identitiesFile: writeFile(FILE), logger });
    assert.equal(store.created, false);
    assert.throws(() => statSync(join(dataDir, IDENTITIES_FILE)));
    assert.deepEqual(store.adminCredentials(), { accountId: "123456789012", userName: "ci", ...CI });

    const user = store.lookupAccessKey(CI.accessKeyId);
    assert.equal(user?.principal.arn, "arn:aws:iam::123456789012:user/ci");
    assert.equal(user?.sessionToken, undefined);

    const root = store.lookupAccessKey(ROOT.accessKeyId);
    assert.deepEqual(root?.principal, {
      type: "Root",
      accountId: "123456789012",
      arn: "arn:aws:iam::123456789012:root",
      principalId: "123456789012",
      accessKeyId: ROOT.accessKeyId,
      userName: "acme",
      admin: true,
    });

    assert.equal(store.lookupAccessKey(OFF.accessKeyId), undefined, "inactive keys do not sign");
    assert.equal(store.lookupAccessKey("AKIANOSUCHKEY0000000"), undefined);
    assert.equal(store.findRole("arn:aws:iam::123456789012:role/team/Ops")?.role.name, "Ops");
    assert.equal(
      store.findRole("arn:aws:iam::123456789012:role/Ops"),
      undefined,
      "the path is part of the ARN",
    );
    assert.deepEqual(readAdminCredentials(dataDir, writeFile(FILE)), {
      accountId: "123456789012",
      userName: "ci",
      ...CI,
    });
    assert.ok(!lines.join("").includes(CI.secretAccessKey));
  });

  test("ids are the same on every start", async () => {
    const file = writeFile(FILE);
    const a = await IdentityStore.open({ dataDir: join(dir, "a"), identitiesFile: file });
    const b = await IdentityStore.open({ dataDir: join(dir, "b"), identitiesFile: file });
    assert.equal(
      a.lookupAccessKey(CI.accessKeyId)?.principal.principalId,
      b.lookupAccessKey(CI.accessKeyId)?.principal.principalId,
    );
    assert.equal(
      a.findRole("arn:aws:iam::123456789012:role/Auditor")?.role.roleId,
      b.findRole("arn:aws:iam::123456789012:role/Auditor")?.role.roleId,
    );
  });

  test("a malformed or missing file: IdentitiesFileError naming the file and the problem", async () => {
    const bad = writeFile({ accounts: [{ id: "12" }] });
    await assert.rejects(
      IdentityStore.open({ dataDir: join(dir, "d"), identitiesFile: bad }),
      (e: unknown) => {
        assert.ok(e instanceof IdentitiesFileError);
        assert.equal(e.message, `identities file ${bad}: accounts[0].id must be 12 digits`);
        return true;
      },
    );
    await assert.rejects(
      IdentityStore.open({ dataDir: join(dir, "d"), identitiesFile: join(dir, "nope.json") }),
      /cannot read the file: ENOENT/,
    );
  });

  test("a file without an admin user: adminCredentials says so", async () => {
    const store = await IdentityStore.open({
      dataDir: join(dir, "d"),
      identitiesFile: writeFile({
        accounts: [{ id: "123456789012", users: [{ name: "u", accessKeys: [CI] }] }],
      }),
    });
    assert.throws(() => store.adminCredentials(), /no user has admin: true and an active access key/);
  });
});

describe("IdentityStore: temporary credentials", () => {
  const T0 = new Date("2024-01-01T00:00:00.400Z");

  test("sessions are persisted 0600, survive a restart, and expire", async () => {
    const dataDir = join(dir, "data");
    const identitiesFile = writeFile(FILE);
    let now = T0;
    const store = await IdentityStore.open({ dataDir, identitiesFile, now: () => now });
    const role = store.findRole("arn:aws:iam::123456789012:role/Auditor");
    assert.ok(role);
    const source = store.lookupAccessKey(CI.accessKeyId)?.principal;
    assert.ok(source);
    const s = await store.createSession({ role, sessionName: "audit", durationSeconds: 900, source });
    assert.match(s.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(s.sessionToken.length > 200);
    assert.equal(s.creationDate, "2024-01-01T00:00:00Z");
    assert.equal(s.expiration, "2024-01-01T00:15:00Z");
    assert.equal(mode(join(dataDir, SESSIONS_FILE)), 0o600);

    const restarted = await IdentityStore.open({ dataDir, identitiesFile, now: () => now });
    const found = restarted.lookupAccessKey(s.accessKeyId);
    assert.equal(found?.sessionToken, s.sessionToken);
    assert.equal(found?.expiration?.toISOString(), "2024-01-01T00:15:00.000Z");
    assert.deepEqual(found?.principal, {
      type: "AssumedRole",
      accountId: "123456789012",
      arn: "arn:aws:sts::123456789012:assumed-role/Auditor/audit",
      principalId: `${role.role.roleId}:audit`,
      accessKeyId: s.accessKeyId,
      admin: false,
      session: {
        roleName: "Auditor",
        roleId: role.role.roleId,
        roleArn: "arn:aws:iam::123456789012:role/Auditor",
        sessionName: "audit",
        creationDate: "2024-01-01T00:00:00Z",
        expiration: "2024-01-01T00:15:00Z",
      },
    });

    // Expired sessions are still known for a day (so the edge can answer ExpiredToken), then forgotten.
    now = new Date("2024-01-01T12:00:00Z");
    assert.ok(
      (await IdentityStore.open({ dataDir, identitiesFile, now: () => now })).lookupAccessKey(s.accessKeyId),
    );
    now = new Date("2024-01-02T00:16:00Z");
    assert.equal(
      (await IdentityStore.open({ dataDir, identitiesFile, now: () => now })).lookupAccessKey(s.accessKeyId),
      undefined,
    );
  });

  test("a session dies with its role", async () => {
    const dataDir = join(dir, "data");
    const store = await IdentityStore.open({ dataDir, identitiesFile: writeFile(FILE) });
    const role = store.findRole("arn:aws:iam::123456789012:role/Auditor");
    const source = store.lookupAccessKey(CI.accessKeyId)?.principal;
    assert.ok(role && source);
    const s = await store.createSession({ role, sessionName: "x1", durationSeconds: 900, source });
    const withoutRole = { accounts: [{ ...FILE.accounts[0], roles: [] }] };
    const reopened = await IdentityStore.open({ dataDir, identitiesFile: writeFile(withoutRole) });
    assert.equal(reopened.lookupAccessKey(s.accessKeyId), undefined);
  });

  test("concurrent sessions are all persisted; secrets never reach the log", async () => {
    const dataDir = join(dir, "data");
    const identitiesFile = writeFile(FILE);
    const store = await IdentityStore.open({ dataDir, identitiesFile, logger });
    const role = store.findRole("arn:aws:iam::123456789012:role/Auditor");
    const source = store.lookupAccessKey(CI.accessKeyId)?.principal;
    assert.ok(role && source);
    const made = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.createSession({ role, sessionName: `s${i}`, durationSeconds: 900, source }),
      ),
    );
    const reopened = await IdentityStore.open({ dataDir, identitiesFile, logger });
    for (const s of made)
      assert.equal(reopened.lookupAccessKey(s.accessKeyId)?.secretAccessKey, s.secretAccessKey);
    const log = lines.join("");
    for (const s of made) assert.ok(!log.includes(s.secretAccessKey) && !log.includes(s.sessionToken));
    assert.ok(!log.includes(CI.secretAccessKey));
  });

  test("a damaged sessions file is ignored with a warning", async () => {
    const dataDir = join(dir, "data");
    const identitiesFile = writeFile(FILE);
    await IdentityStore.open({ dataDir, identitiesFile });
    writeFileSync(join(dataDir, SESSIONS_FILE), "{ not json");
    await IdentityStore.open({ dataDir, identitiesFile, logger });
    assert.match(lines.join(""), /ignoring unreadable sessions file/);
    assert.match(readFileSync(join(dataDir, SESSIONS_FILE), "utf8"), /not json/);
  });
});
