import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Principal } from "./principal.js";
import { toUserIdentity } from "./user-identity.js";

const user: Principal = {
  type: "IAMUser",
  accountId: "123456789012",
  arn: "arn:aws:iam::123456789012:user/Alice",
  principalId: "AIDAJ45Q7YFFAREXAMPLE",
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  userName: "Alice",
  admin: true,
};

const root: Principal = {
  type: "Root",
  accountId: "111122223333",
  arn: "arn:aws:iam::111122223333:root",
  principalId: "111122223333",
  accessKeyId: "AKIAROOTEXAMPLE00001",
  admin: true,
};

const assumed: Principal = {
  type: "AssumedRole",
  accountId: "123456789012",
  arn: "arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName",
  principalId: "AROAIDPPEZS35WEXAMPLE:MySessionName",
  accessKeyId: "ASIAEXAMPLE000000001",
  admin: false,
  session: {
    roleName: "RoleToBeAssumed",
    roleId: "AROAIDPPEZS35WEXAMPLE",
    roleArn: "arn:aws:iam::123456789012:role/RoleToBeAssumed",
    sessionName: "MySessionName",
    creationDate: "2023-07-10T12:02:04Z",
    expiration: "2023-07-10T12:17:04Z",
  },
};

/** Serialized, so key order is checked as CloudTrail writes it. */
const json = (p: Principal) => JSON.stringify(toUserIdentity(p));

describe("toUserIdentity", () => {
  test("IAM user", () => {
    assert.equal(
      json(user),
      '{"type":"IAMUser","principalId":"AIDAJ45Q7YFFAREXAMPLE","arn":"arn:aws:iam::123456789012:user/Alice",' +
        '"accountId":"123456789012","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Alice"}',
    );
  });

  test("root, without and with an account alias", () => {
    assert.equal(
      json(root),
      '{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root",' +
        '"accountId":"111122223333","accessKeyId":"AKIAROOTEXAMPLE00001"}',
    );
    assert.equal(toUserIdentity({ ...root, userName: "acme" }).userName, "acme");
  });

  test("assumed role, with its session issuer and attributes", () => {
    assert.equal(
      json(assumed),
      '{"type":"AssumedRole","principalId":"AROAIDPPEZS35WEXAMPLE:MySessionName",' +
        '"arn":"arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName","accountId":"123456789012",' +
        '"accessKeyId":"ASIAEXAMPLE000000001","sessionContext":{"sessionIssuer":{"type":"Role",' +
        '"principalId":"AROAIDPPEZS35WEXAMPLE","arn":"arn:aws:iam::123456789012:role/RoleToBeAssumed",' +
        '"accountId":"123456789012","userName":"RoleToBeAssumed"},' +
        '"attributes":{"creationDate":"2023-07-10T12:02:04Z","mfaAuthenticated":"false"}}}',
    );
  });

  test("carries nothing but identity: no admin flag, no expiration, no secret", () => {
    for (const p of [user, root, assumed]) {
      const out = json(p);
      assert.doesNotMatch(out, /admin|expiration|secret|token/i);
    }
  });
});
