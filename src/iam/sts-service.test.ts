import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AwsError } from "../protocol/errors.js";
import type { RequestContext } from "../server/request-context.js";
import { IdentityStore } from "./identity-store.js";
import { stsAudit } from "./sts-audit.js";
import { createStsService, type StsService } from "./sts-service.js";

const A = "123456789012";
const B = "210987654321";
const CI = {
  accessKeyId: "AKIAOPENTRAILCI00001",
  secretAccessKey: "ci-secret-key-0000000000000000000000000000",
};
const ROOT = {
  accessKeyId: "AKIAOPENTRAILROOT001",
  secretAccessKey: "root-secret-key-000000000000000000000000",
};
const OUT = {
  accessKeyId: "AKIAOPENTRAILOUT0001",
  secretAccessKey: "out-secret-key-0000000000000000000000000",
};
const AUDITOR = `arn:aws:iam::${A}:role/Auditor`;
const OPS = `arn:aws:iam::${A}:role/team/Ops`;
const IDENTITIES = {
  accounts: [
    {
      id: A,
      rootAccessKeys: [ROOT],
      users: [{ name: "ci", admin: true, accessKeys: [CI] }],
      roles: [
        { name: "Auditor" },
        { name: "Ops", path: "/team/", maxSessionDuration: 7200, trust: { accounts: [A, B] } },
      ],
    },
    { id: B, users: [{ name: "outsider", accessKeys: [OUT] }] },
  ],
};
const NOW = new Date("2024-01-01T00:00:00Z");

let dir: string;
let store: IdentityStore;
let sts: StsService;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "opentrail-sts-"));
  const identitiesFile = join(dir, "ids.json");
  writeFileSync(identitiesFile, JSON.stringify(IDENTITIES));
  store = await IdentityStore.open({ dataDir: join(dir, "data"), identitiesFile, now: () => NOW });
  sts = createStsService(store);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function ctxFor(accessKeyId: string): RequestContext {
  const principal = store.lookupAccessKey(accessKeyId)?.principal;
  assert.ok(principal, `no principal for ${accessKeyId}`);
  return {
    requestId: "req-1",
    principal,
    region: "us-east-1",
    service: "sts",
    sourceIPAddress: "127.0.0.1",
    userAgent: "test",
    receivedAt: NOW,
  };
}

async function assumeAs(accessKeyId: string, input: Record<string, unknown>) {
  return sts.handle("AssumeRole", input, ctxFor(accessKeyId));
}

async function rejects(p: Promise<unknown>, code: string, status: number, message?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.deepEqual([e.code, e.status], [code, status]);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

describe("GetCallerIdentity", () => {
  test("a user, root and an assumed role, as STS answers", async () => {
    assert.deepEqual(await sts.handle("GetCallerIdentity", {}, ctxFor(CI.accessKeyId)), {
      Arn: `arn:aws:iam::${A}:user/ci`,
      UserId: store.lookupAccessKey(CI.accessKeyId)?.principal.principalId,
      Account: A,
    });
    assert.deepEqual(await sts.handle("GetCallerIdentity", {}, ctxFor(ROOT.accessKeyId)), {
      Arn: `arn:aws:iam::${A}:root`,
      UserId: A,
      Account: A,
    });
    const out = await assumeAs(CI.accessKeyId, { RoleArn: AUDITOR, RoleSessionName: "me" });
    const key = (out.Credentials as { AccessKeyId: string }).AccessKeyId;
    const roleId = store.findRole(AUDITOR)?.role.roleId;
    assert.deepEqual(await sts.handle("GetCallerIdentity", {}, ctxFor(key)), {
      Arn: `arn:aws:sts::${A}:assumed-role/Auditor/me`,
      UserId: `${roleId}:me`,
      Account: A,
    });
  });
});

describe("AssumeRole", () => {
  test("issues temporary credentials for the role, persisted and usable", async () => {
    const out = await assumeAs(CI.accessKeyId, {
      RoleArn: AUDITOR,
      RoleSessionName: "audit@team",
      DurationSeconds: "900",
    });
    const roleId = store.findRole(AUDITOR)?.role.roleId;
    assert.deepEqual(Object.keys(out), ["AssumedRoleUser", "Credentials"]);
    assert.deepEqual(out.AssumedRoleUser, {
      AssumedRoleId: `${roleId}:audit@team`,
      Arn: `arn:aws:sts::${A}:assumed-role/Auditor/audit@team`,
    });
    const c = out.Credentials as {
      AccessKeyId: string;
      SecretAccessKey: string;
      SessionToken: string;
      Expiration: Date;
    };
    assert.match(c.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey.length, 40);
    assert.ok(c.SessionToken.length > 200);
    assert.equal(c.Expiration.toISOString(), "2024-01-01T00:15:00.000Z");
    const found = store.lookupAccessKey(c.AccessKeyId);
    assert.equal(found?.sessionToken, c.SessionToken);
    assert.equal(found?.principal.arn, `arn:aws:sts::${A}:assumed-role/Auditor/audit@team`);
  });

  test("the default duration is one hour; a trusted other account may assume; leading + and zeros parse", async () => {
    const out = await assumeAs(OUT.accessKeyId, { RoleArn: OPS, RoleSessionName: "x1" });
    assert.equal(
      (out.Credentials as { Expiration: Date }).Expiration.toISOString(),
      "2024-01-01T01:00:00.000Z",
    );
    for (const d of ["+7200", "07200"]) {
      const o = await assumeAs(CI.accessKeyId, { RoleArn: OPS, RoleSessionName: "x2", DurationSeconds: d });
      assert.equal(
        (o.Credentials as { Expiration: Date }).Expiration.toISOString(),
        "2024-01-01T02:00:00.000Z",
      );
    }
  });

  test("an unknown or untrusting role: AccessDenied with STS's message", async () => {
    await rejects(
      assumeAs(CI.accessKeyId, { RoleArn: `${AUDITOR}-missing`, RoleSessionName: "s1" }),
      "AccessDenied",
      403,
      `User: arn:aws:iam::${A}:user/ci is not authorized to perform: sts:AssumeRole on resource: ${AUDITOR}-missing`,
    );
    await rejects(
      assumeAs(OUT.accessKeyId, { RoleArn: AUDITOR, RoleSessionName: "s1" }),
      "AccessDenied",
      403,
      `User: arn:aws:iam::${B}:user/outsider is not authorized to perform: sts:AssumeRole on resource: ${AUDITOR}`,
    );
    await rejects(
      assumeAs(ROOT.accessKeyId, { RoleArn: AUDITOR, RoleSessionName: "s1" }),
      "AccessDenied",
      403,
      "Roles may not be assumed by root accounts.",
    );
  });

  const NN = "1 validation error detected: Value";
  const PATTERN = "Member must satisfy regular expression pattern: [\\w+=,.@-]*";
  const ARN_PATTERN =
    "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+";
  const validation: Array<[string, Record<string, unknown>, string]> = [
    [
      "no RoleArn",
      { RoleSessionName: "s1" },
      `${NN} null at 'roleArn' failed to satisfy constraint: Member must not be null`,
    ],
    [
      "no session name",
      { RoleArn: AUDITOR },
      `${NN} null at 'roleSessionName' failed to satisfy constraint: Member must not be null`,
    ],
    [
      "a one-character session name",
      { RoleArn: AUDITOR, RoleSessionName: "a" },
      `${NN} 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2`,
    ],
    [
      "a session name with a slash",
      { RoleArn: AUDITOR, RoleSessionName: "bad/name" },
      `${NN} 'bad/name' at 'roleSessionName' failed to satisfy constraint: ${PATTERN}`,
    ],
    [
      "a 65-character session name",
      { RoleArn: AUDITOR, RoleSessionName: "a".repeat(65) },
      `${NN} '${"a".repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    ],
    [
      "a session name breaking two rules",
      { RoleArn: AUDITOR, RoleSessionName: "!" },
      `2 validation errors detected: Value '!' at 'roleSessionName' failed to satisfy constraint: ${PATTERN}; ` +
        "Value '!' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    ],
    [
      "a short RoleArn",
      { RoleArn: "not-an-arn", RoleSessionName: "s1" },
      `${NN} 'not-an-arn' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
    ],
    [
      "an empty RoleArn",
      { RoleArn: "", RoleSessionName: "s1" },
      `2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: ${ARN_PATTERN}; ` +
        "Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    ],
    [
      "a RoleArn that is no ARN",
      { RoleArn: "x".repeat(20), RoleSessionName: "s1" },
      `${"x".repeat(20)} is invalid`,
    ],
    [
      "a duration under 900",
      { RoleArn: AUDITOR, RoleSessionName: "s1", DurationSeconds: "899" },
      `${NN} '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
    ],
    [
      "a duration over 43200",
      { RoleArn: AUDITOR, RoleSessionName: "s1", DurationSeconds: "43201" },
      `${NN} '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`,
    ],
    [
      "a duration over the role's maximum",
      { RoleArn: AUDITOR, RoleSessionName: "s1", DurationSeconds: "3601" },
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    ],
  ];
  for (const [name, input, message] of validation) {
    test(`${name}: ValidationError`, async () => {
      await rejects(assumeAs(CI.accessKeyId, input), "ValidationError", 400, message);
    });
  }

  test("a duration that is not an integer: MalformedInput", async () => {
    for (const [value, message] of [
      ["abc", ""],
      ["900.0", ""],
      ["2147483648", ""],
      ["", "missing value for decimal type"],
    ]) {
      await rejects(
        assumeAs(CI.accessKeyId, { RoleArn: AUDITOR, RoleSessionName: "s1", DurationSeconds: value }),
        "MalformedInput",
        400,
        message,
      );
    }
  });

  test("role chaining is capped at one hour", async () => {
    const first = await assumeAs(CI.accessKeyId, { RoleArn: AUDITOR, RoleSessionName: "hop1" });
    const key = (first.Credentials as { AccessKeyId: string }).AccessKeyId;
    await rejects(
      assumeAs(key, { RoleArn: OPS, RoleSessionName: "hop2", DurationSeconds: "3601" }),
      "ValidationError",
      400,
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    const second = await assumeAs(key, { RoleArn: OPS, RoleSessionName: "hop2", DurationSeconds: "3600" });
    const hop2 = store.lookupAccessKey((second.Credentials as { AccessKeyId: string }).AccessKeyId);
    assert.equal(hop2?.principal.arn, `arn:aws:sts::${A}:assumed-role/Ops/hop2`);
  });
});

describe("operations", () => {
  test("an unknown action: InvalidAction; a known STS action OpenTrail lacks: not implemented", async () => {
    await rejects(
      sts.handle("NoSuchAction", {}, ctxFor(CI.accessKeyId)),
      "InvalidAction",
      400,
      "Could not find operation NoSuchAction for version 2011-06-15",
    );
    await rejects(
      sts.handle("GetSessionToken", {}, ctxFor(CI.accessKeyId)),
      "UnsupportedOperationException",
      400,
    );
  });
});

describe("stsAudit", () => {
  test("AssumeRole is recorded as CloudTrail records it, without the secret access key", async () => {
    const input = { RoleArn: AUDITOR, RoleSessionName: "rec", DurationSeconds: "900" };
    const output = await assumeAs(CI.accessKeyId, input);
    const c = output.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    assert.equal(stsAudit.eventSource, "sts.amazonaws.com");
    assert.deepEqual([stsAudit.isRecorded("AssumeRole"), stsAudit.isReadOnly("AssumeRole")], [true, true]);
    assert.equal(
      JSON.stringify(stsAudit.requestParameters("AssumeRole", input)),
      `{"roleArn":"${AUDITOR}","roleSessionName":"rec","durationSeconds":900}`,
    );
    const elements = stsAudit.responseElements("AssumeRole", input, output);
    assert.equal(
      JSON.stringify(elements),
      `{"credentials":{"accessKeyId":"${c.AccessKeyId}","sessionToken":"${c.SessionToken}","expiration":"Jan 1, 2024, 12:15:00 AM"},` +
        `"assumedRoleUser":{"assumedRoleId":"${store.findRole(AUDITOR)?.role.roleId}:rec","arn":"arn:aws:sts::${A}:assumed-role/Auditor/rec"}}`,
    );
    assert.ok(!JSON.stringify(elements).includes(c.SecretAccessKey));
    assert.equal(
      JSON.stringify(stsAudit.resources("AssumeRole", input, output)),
      `[{"accountId":"${A}","type":"AWS::IAM::Role","ARN":"${AUDITOR}"}]`,
    );
    assert.equal(stsAudit.resources("AssumeRole", input, undefined), undefined);
    assert.deepEqual(stsAudit.requestParameters("AssumeRole", { RoleArn: AUDITOR, RoleSessionName: "x" }), {
      roleArn: AUDITOR,
      roleSessionName: "x",
    });
  });

  test("GetCallerIdentity: recorded read-only with null parameters and elements", () => {
    assert.deepEqual(
      [stsAudit.isRecorded("GetCallerIdentity"), stsAudit.isReadOnly("GetCallerIdentity")],
      [true, true],
    );
    assert.equal(stsAudit.requestParameters("GetCallerIdentity", {}), null);
    assert.equal(stsAudit.responseElements("GetCallerIdentity", {}, { Arn: "a" }), null);
    assert.equal(stsAudit.isReadOnly("GetSessionToken"), false);
  });
});
