import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IdentitiesFileError, parseIdentities } from "./identities-file.js";

const CREATED = "2024-01-01T00:00:00.000Z";
const SECRET = "s3cr3t-value-that-must-never-leak";

function parse(doc: unknown) {
  return parseIdentities(typeof doc === "string" ? doc : JSON.stringify(doc), {
    file: "/etc/ids.json",
    defaultCreateDate: CREATED,
  });
}

const key = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: SECRET });
const account = (extra: Record<string, unknown> = {}) => ({ id: "123456789012", ...extra });

describe("parseIdentities", () => {
  test("the minimal form fills every default, with ids derived from account and name", () => {
    const doc = parse({
      accounts: [
        {
          id: "123456789012",
          users: [{ name: "ci", admin: true, accessKeys: [key("AKIAOPENTRAILCI00001")] }],
          roles: [{ name: "Auditor" }],
        },
      ],
    });
    const [a] = doc.accounts;
    assert.ok(a);
    assert.deepEqual(a.rootAccessKeys, []);
    assert.match(a.users[0]?.userId ?? "", /^AIDA[A-Z2-7]{17}$/);
    assert.deepEqual(a.users[0]?.accessKeys, [
      { accessKeyId: "AKIAOPENTRAILCI00001", secretAccessKey: SECRET, status: "Active", createDate: CREATED },
    ]);
    assert.deepEqual(
      { ...a.roles[0], roleId: "" },
      { name: "Auditor", roleId: "", path: "/", maxSessionDuration: 3600, admin: false },
    );
    assert.match(a.roles[0]?.roleId ?? "", /^AROA[A-Z2-7]{17}$/);
    // Same input, same ids: restarts keep principals stable.
    assert.deepEqual(parse(JSON.stringify(doc)), doc);
    const again = parse({
      accounts: [{ id: "123456789012", users: [{ name: "ci" }], roles: [{ name: "Auditor" }] }],
    });
    assert.equal(again.accounts[0]?.users[0]?.userId, a.users[0]?.userId);
    const other = parse({ accounts: [{ id: "210987654321", users: [{ name: "ci" }] }] });
    assert.notEqual(other.accounts[0]?.users[0]?.userId, a.users[0]?.userId);
  });

  test("explicit fields are kept", () => {
    const doc = parse({
      accounts: [
        {
          id: "123456789012",
          alias: "my-org",
          rootAccessKeys: [
            { ...key("AKIAROOT000000000001"), status: "Inactive", createDate: "2020-05-05T00:00:00Z" },
          ],
          roles: [
            {
              name: "Ops",
              roleId: "AROAABCDEFGHIJKLMNOPQ",
              path: "/team/",
              trust: { accounts: ["210987654321"] },
              maxSessionDuration: 43200,
              admin: true,
            },
          ],
        },
      ],
    });
    const a = doc.accounts[0];
    assert.equal(a?.alias, "my-org");
    assert.deepEqual(a?.rootAccessKeys[0], {
      accessKeyId: "AKIAROOT000000000001",
      secretAccessKey: SECRET,
      status: "Inactive",
      createDate: "2020-05-05T00:00:00.000Z",
    });
    assert.deepEqual(a?.roles[0], {
      name: "Ops",
      roleId: "AROAABCDEFGHIJKLMNOPQ",
      path: "/team/",
      trust: { accounts: ["210987654321"] },
      maxSessionDuration: 43200,
      admin: true,
    });
  });

  const cases: Array<[string, unknown, string]> = [
    ["bad JSON", '{"accounts": [}', "invalid JSON at position 14 (line 1, column 15)"],
    [
      "bad JSON on line 3",
      '{\n  "accounts": [\n    {"id": 1,}\n  ]\n}',
      "invalid JSON at position 31 (line 3, column 14)",
    ],
    ["trailing garbage", '{"accounts": []} x', "invalid JSON at position 17 (line 1, column 18)"],
    ["truncated", '{"accounts": [', "invalid JSON at position 14 (line 1, column 15)"],
    ["not an object", "[]", "the document must be a JSON object"],
    ["no accounts", {}, "accounts must be an array"],
    ["empty accounts", { accounts: [] }, "accounts must list at least one account"],
    ["unknown field", { accounts: [account({ usres: [] })] }, "accounts[0].usres is not a known field"],
    ["short account id", { accounts: [{ id: "12345" }] }, "accounts[0].id must be 12 digits"],
    ["numeric account id", { accounts: [{ id: 123456789012 }] }, "accounts[0].id must be 12 digits"],
    [
      "duplicate account",
      { accounts: [account(), account()] },
      "duplicate account id at accounts[1].id (first at accounts[0].id)",
    ],
    ["bad alias", { accounts: [account({ alias: "My Org" })] }, "accounts[0].alias must be 3 to 63"],
    [
      "bad user name",
      { accounts: [account({ users: [{ name: "a b" }] })] },
      "accounts[0].users[0].name must be 1 to 64",
    ],
    [
      "duplicate user (case-insensitive)",
      { accounts: [account({ users: [{ name: "Ci" }, { name: "ci" }] })] },
      "duplicate user name at accounts[0].users[1].name (first at accounts[0].users[0].name)",
    ],
    [
      "admin not boolean",
      { accounts: [account({ users: [{ name: "ci", admin: "yes" }] })] },
      "accounts[0].users[0].admin must be true or false",
    ],
    [
      "bad access key id",
      { accounts: [account({ users: [{ name: "ci", accessKeys: [key("short")] }] })] },
      "accounts[0].users[0].accessKeys[0].accessKeyId must be 16 to 128",
    ],
    [
      "temporary-looking key id",
      { accounts: [account({ users: [{ name: "ci", accessKeys: [key("ASIAOPENTRAILCI00001")] }] })] },
      "accounts[0].users[0].accessKeys[0].accessKeyId must not start with ASIA",
    ],
    [
      "duplicate access key id",
      {
        accounts: [
          account({ users: [{ name: "a", accessKeys: [key("AKIAOPENTRAILCI00001")] }] }),
          { id: "210987654321", rootAccessKeys: [key("AKIAOPENTRAILCI00001")] },
        ],
      },
      "duplicate access key id AKIAOPENTRAILCI00001 at accounts[1].rootAccessKeys[0].accessKeyId (first at accounts[0].users[0].accessKeys[0].accessKeyId)",
    ],
    [
      "bad status",
      { accounts: [account({ rootAccessKeys: [{ ...key("AKIAOPENTRAILCI00001"), status: "active" }] })] },
      'accounts[0].rootAccessKeys[0].status must be "Active" or "Inactive"',
    ],
    [
      "bad role duration",
      { accounts: [account({ roles: [{ name: "r", maxSessionDuration: 60 }] })] },
      "accounts[0].roles[0].maxSessionDuration must be a whole number of seconds from 3600 to 43200",
    ],
    [
      "bad trust",
      { accounts: [account({ roles: [{ name: "r", trust: { accounts: ["1"] } }] })] },
      "accounts[0].roles[0].trust.accounts[0] must be 12 digits",
    ],
    [
      "bad role path",
      { accounts: [account({ roles: [{ name: "r", path: "team" }] })] },
      "accounts[0].roles[0].path must be",
    ],
  ];
  for (const [name, doc, expected] of cases) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => parse(doc),
        (e: unknown) => {
          assert.ok(e instanceof IdentitiesFileError);
          assert.ok(e.problem.startsWith(expected), `${e.problem} should start with ${expected}`);
          assert.equal(e.message, `identities file /etc/ids.json: ${e.problem}`);
          return true;
        },
      );
    });
  }

  test("a JSON syntax error never quotes the file (it may hold secrets)", () => {
    assert.throws(
      () => parse(`{"accounts": [{"secretAccessKey": "${SECRET}" oops}]}`),
      (e: unknown) =>
        e instanceof IdentitiesFileError && !e.message.includes(SECRET) && /position 70 /.test(e.message),
    );
  });

  test("a bad secret is reported without echoing it", () => {
    const leaked = "has a space secret";
    const doc = {
      accounts: [
        account({
          users: [
            { name: "ci", accessKeys: [{ accessKeyId: "AKIAOPENTRAILCI00001", secretAccessKey: leaked }] },
          ],
        }),
      ],
    };
    assert.throws(
      () => parse(doc),
      (e: unknown) => {
        assert.ok(e instanceof IdentitiesFileError);
        assert.equal(
          e.problem,
          "accounts[0].users[0].accessKeys[0].secretAccessKey must be 8 to 128 characters without spaces",
        );
        assert.ok(!e.message.includes(leaked));
        return true;
      },
    );
  });
});
