import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Decision, evaluate, PolicyError, type PolicyRequest, parsePolicy } from "./index.js";

const BUCKET = "arn:aws:s3:::logs";
const TRAIL = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";
const alice = { type: "AWS" as const, id: "arn:aws:iam::111122223333:user/alice", accountId: "111122223333" };
const mallory = {
  type: "AWS" as const,
  id: "arn:aws:iam::444455556666:user/mallory",
  accountId: "444455556666",
};
const session = {
  type: "AWS" as const,
  id: "arn:aws:sts::444455556666:assumed-role/Reader/s1",
  accountId: "444455556666",
};
const cloudtrail = { type: "Service" as const, id: "cloudtrail.amazonaws.com" };

function doc(statements: unknown[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

function req(partial: Partial<PolicyRequest>): PolicyRequest {
  return { principal: alice, action: "s3:GetObject", resource: `${BUCKET}/a`, context: {}, ...partial };
}

describe("parsePolicy rejects malformed documents with S3's messages", () => {
  const allow = { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET}/*` };
  const cases: [string, string, string][] = [
    ["not JSON", "{", "This policy contains invalid Json"],
    ["a JSON array", "[]", "This policy contains invalid Json"],
    [
      "bad version",
      JSON.stringify({ Version: "2020-01-01", Statement: [allow] }),
      "The policy must contain a valid version string",
    ],
    ["no statement", JSON.stringify({ Version: "2012-10-17" }), "Missing required field Statement"],
    ["missing Effect", doc([{ ...allow, Effect: undefined }]), "Missing required field Effect"],
    ["bad Effect", doc([{ ...allow, Effect: "Maybe" }]), "Invalid effect: Maybe"],
    ["missing Principal", doc([{ ...allow, Principal: undefined }]), "Missing required field Principal"],
    ["bad Principal type", doc([{ ...allow, Principal: { User: "x" } }]), "Invalid principal in policy"],
    ["bad AWS principal", doc([{ ...allow, Principal: { AWS: "alice" } }]), "Invalid principal in policy"],
    [
      "wildcard in ARN principal",
      doc([{ ...allow, Principal: { AWS: "arn:aws:iam::*:root" } }]),
      "Invalid principal in policy",
    ],
    ["missing Action", doc([{ ...allow, Action: undefined }]), "Missing required field Action"],
    ["action without service", doc([{ ...allow, Action: "GetObject" }]), "Policy has invalid action"],
    ["action of another service", doc([{ ...allow, Action: "iam:PassRole" }]), "Policy has invalid action"],
    ["missing Resource", doc([{ ...allow, Resource: undefined }]), "Missing required field Resource"],
    ["resource not an ARN", doc([{ ...allow, Resource: "logs/*" }]), "Policy has invalid resource"],
    [
      "resource of another bucket",
      doc([{ ...allow, Resource: "arn:aws:s3:::other/*" }]),
      "Policy has invalid resource",
    ],
    ["unknown statement field", doc([{ ...allow, Foo: 1 }]), "Unknown field Foo"],
    [
      "unknown operator",
      doc([{ ...allow, Condition: { StringEqualz: { "aws:SourceArn": "x" } } }]),
      "Invalid Condition type : StringEqualz",
    ],
    [
      "bad IP",
      doc([{ ...allow, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.300/8" } } }]),
      "Invalid Condition value for operator IpAddress: 10.0.0.300/8",
    ],
    [
      "duplicate Sid",
      doc([
        { ...allow, Sid: "a" },
        { ...allow, Sid: "a" },
      ]),
      "Statement IDs (SID) in a single policy must be unique.",
    ],
  ];
  for (const [name, json, message] of cases) {
    it(name, () => {
      assert.throws(
        () =>
          parsePolicy(json, {
            resourcePolicy: true,
            actionServices: ["s3"],
            resourceAllowed: (r) => r === BUCKET || r.startsWith(`${BUCKET}/`),
          }),
        (e: unknown) => e instanceof PolicyError && e.message === message,
      );
    });
  }
});

describe("evaluate", () => {
  const cloudTrailPolicy = parsePolicy(
    doc([
      {
        Sid: "AWSCloudTrailAclCheck20150319",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: BUCKET,
        Condition: { StringEquals: { "aws:SourceArn": TRAIL } },
      },
      {
        Sid: "AWSCloudTrailWrite20150319",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${BUCKET}/AWSLogs/111122223333/*`,
        Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL } },
      },
      {
        Effect: "Allow",
        Principal: { AWS: "444455556666" },
        Action: "s3:Get*",
        Resource: `${BUCKET}/shared/*`,
      },
      {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::444455556666:role/team/Reader" },
        Action: ["s3:ListBucket"],
        Resource: BUCKET,
      },
      { Effect: "Deny", Principal: "*", Action: "s3:DeleteObject*", Resource: `${BUCKET}/AWSLogs/*` },
      {
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: [BUCKET, `${BUCKET}/*`],
        Condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"] } },
      },
    ]),
  );
  const put = `${BUCKET}/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/x.json.gz`;
  const ip = { "aws:SourceIp": "10.1.2.3" };
  const cases: [string, PolicyRequest, Decision][] = [
    [
      "service PutObject with SourceArn and ACL",
      req({
        principal: cloudtrail,
        action: "s3:PutObject",
        resource: put,
        context: { ...ip, "aws:SourceArn": TRAIL, "s3:x-amz-acl": "bucket-owner-full-control" },
      }),
      "Allow",
    ],
    [
      "service PutObject, context keys in other case",
      req({
        principal: cloudtrail,
        action: "S3:putobject",
        resource: put,
        context: { ...ip, "AWS:SOURCEARN": TRAIL, "s3:X-Amz-Acl": "bucket-owner-full-control" },
      }),
      "Allow",
    ],
    [
      "service PutObject without SourceArn",
      req({
        principal: cloudtrail,
        action: "s3:PutObject",
        resource: put,
        context: { ...ip, "s3:x-amz-acl": "bucket-owner-full-control" },
      }),
      "ImplicitDeny",
    ],
    [
      "service PutObject for another trail",
      req({
        principal: cloudtrail,
        action: "s3:PutObject",
        resource: put,
        context: { ...ip, "aws:SourceArn": `${TRAIL}2`, "s3:x-amz-acl": "bucket-owner-full-control" },
      }),
      "ImplicitDeny",
    ],
    [
      "service PutObject outside the prefix",
      req({
        principal: cloudtrail,
        action: "s3:PutObject",
        resource: `${BUCKET}/other/x`,
        context: { ...ip, "aws:SourceArn": TRAIL, "s3:x-amz-acl": "bucket-owner-full-control" },
      }),
      "ImplicitDeny",
    ],
    [
      "service GetBucketAcl",
      req({
        principal: cloudtrail,
        action: "s3:GetBucketAcl",
        resource: BUCKET,
        context: { ...ip, "aws:SourceArn": TRAIL },
      }),
      "Allow",
    ],
    [
      "other service",
      req({
        principal: { type: "Service", id: "ec2.amazonaws.com" },
        action: "s3:GetBucketAcl",
        resource: BUCKET,
        context: ip,
      }),
      "ImplicitDeny",
    ],
    [
      "account principal, wildcard action",
      req({ principal: mallory, action: "s3:GetObjectVersion", resource: `${BUCKET}/shared/a`, context: ip }),
      "Allow",
    ],
    [
      "account principal, other prefix",
      req({ principal: mallory, action: "s3:GetObject", resource: `${BUCKET}/private/a`, context: ip }),
      "ImplicitDeny",
    ],
    [
      "account principal, other action",
      req({ principal: mallory, action: "s3:PutObject", resource: `${BUCKET}/shared/a`, context: ip }),
      "ImplicitDeny",
    ],
    [
      "role session covered by role ARN with path",
      req({ principal: session, action: "s3:ListBucket", resource: BUCKET, context: ip }),
      "Allow",
    ],
    [
      "explicit deny wins over allow",
      req({
        principal: mallory,
        action: "s3:GetObject",
        resource: `${BUCKET}/shared/a`,
        context: { "aws:SourceIp": "192.0.2.1" },
      }),
      "Deny",
    ],
    [
      "deny of log deletion applies to the owner too",
      req({ action: "s3:DeleteObjectVersion", resource: put, context: ip }),
      "Deny",
    ],
    [
      "missing SourceIp: NotIpAddress holds, so deny",
      req({ principal: mallory, action: "s3:GetObject", resource: `${BUCKET}/shared/a` }),
      "Deny",
    ],
    [
      "IPv6 inside the range",
      req({
        principal: mallory,
        action: "s3:GetObject",
        resource: `${BUCKET}/shared/a`,
        context: { "aws:SourceIp": "2001:db8::1" },
      }),
      "Allow",
    ],
  ];
  for (const [name, request, expected] of cases) {
    it(name, () => assert.equal(evaluate(cloudTrailPolicy, request), expected));
  }
});

describe("condition operators", () => {
  function decide(condition: unknown, context: PolicyRequest["context"], resource = `${BUCKET}/a`): Decision {
    const policy = parsePolicy(
      doc([
        { Effect: "Allow", Principal: "*", Action: "s3:*", Resource: `${BUCKET}/*`, Condition: condition },
      ]),
    );
    return evaluate(policy, req({ context, resource }));
  }
  const now = "2024-05-01T12:00:00Z";
  const cases: [string, unknown, PolicyRequest["context"], Decision][] = [
    [
      "StringEquals match",
      { StringEquals: { "aws:username": "alice" } },
      { "aws:username": "alice" },
      "Allow",
    ],
    [
      "StringEquals is case sensitive",
      { StringEquals: { "aws:username": "alice" } },
      { "aws:username": "Alice" },
      "ImplicitDeny",
    ],
    [
      "StringEqualsIgnoreCase",
      { StringEqualsIgnoreCase: { "aws:username": "ALICE" } },
      { "aws:username": "alice" },
      "Allow",
    ],
    [
      "StringNotEquals with other value",
      { StringNotEquals: { "aws:username": "bob" } },
      { "aws:username": "alice" },
      "Allow",
    ],
    ["StringNotEquals with missing key", { StringNotEquals: { "aws:username": "bob" } }, {}, "Allow"],
    [
      "StringNotEqualsIgnoreCase",
      { StringNotEqualsIgnoreCase: { "aws:username": "BOB" } },
      { "aws:username": "bob" },
      "ImplicitDeny",
    ],
    ["StringEquals with missing key", { StringEquals: { "aws:username": "alice" } }, {}, "ImplicitDeny"],
    [
      "StringEqualsIfExists with missing key",
      { StringEqualsIfExists: { "aws:username": "alice" } },
      {},
      "Allow",
    ],
    [
      "StringLike wildcard",
      { StringLike: { "s3:prefix": ["home/*", "pub/?"] } },
      { "s3:prefix": "pub/x" },
      "Allow",
    ],
    [
      "StringLike no match",
      { StringLike: { "s3:prefix": "home/*" } },
      { "s3:prefix": "etc/x" },
      "ImplicitDeny",
    ],
    ["StringNotLike", { StringNotLike: { "s3:prefix": "home/*" } }, { "s3:prefix": "etc/x" }, "Allow"],
    [
      "policy variable",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
      { StringLike: { "s3:prefix": "home/${aws:username}/*" } },
      { "s3:prefix": "home/alice/x", "aws:username": "alice" },
      "Allow",
    ],
    [
      "policy variable for someone else",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
      { StringLike: { "s3:prefix": "home/${aws:username}/*" } },
      { "s3:prefix": "home/bob/x", "aws:username": "alice" },
      "ImplicitDeny",
    ],
    [
      "ArnLike per component",
      { ArnLike: { "aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*" } },
      { "aws:SourceArn": TRAIL },
      "Allow",
    ],
    ["ArnEquals", { ArnEquals: { "aws:SourceArn": TRAIL } }, { "aws:SourceArn": TRAIL }, "Allow"],
    [
      "ArnLike wrong account",
      { ArnLike: { "aws:SourceArn": "arn:aws:cloudtrail:*:999999999999:trail/*" } },
      { "aws:SourceArn": TRAIL },
      "ImplicitDeny",
    ],
    [
      "ArnNotLike",
      { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:user/admin*" } },
      { "aws:PrincipalArn": "arn:aws:iam::1:user/alice" },
      "Allow",
    ],
    [
      "ArnLike on a non-ARN value",
      { ArnLike: { "aws:SourceArn": "arn:aws:*:*:*:*" } },
      { "aws:SourceArn": "nope" },
      "ImplicitDeny",
    ],
    ["Bool true", { Bool: { "aws:SecureTransport": "true" } }, { "aws:SecureTransport": "true" }, "Allow"],
    [
      "Bool JSON boolean",
      { Bool: { "aws:SecureTransport": false } },
      { "aws:SecureTransport": "false" },
      "Allow",
    ],
    [
      "Bool mismatch",
      { Bool: { "aws:SecureTransport": "true" } },
      { "aws:SecureTransport": "false" },
      "ImplicitDeny",
    ],
    ["NumericLessThan", { NumericLessThan: { "s3:max-keys": "100" } }, { "s3:max-keys": "10" }, "Allow"],
    [
      "NumericLessThan fails",
      { NumericLessThan: { "s3:max-keys": 100 } },
      { "s3:max-keys": "100" },
      "ImplicitDeny",
    ],
    [
      "NumericLessThanEquals",
      { NumericLessThanEquals: { "s3:max-keys": 100 } },
      { "s3:max-keys": "100" },
      "Allow",
    ],
    ["NumericGreaterThan", { NumericGreaterThan: { "s3:max-keys": 100 } }, { "s3:max-keys": "101" }, "Allow"],
    [
      "NumericGreaterThanEquals",
      { NumericGreaterThanEquals: { "s3:max-keys": 100 } },
      { "s3:max-keys": "99" },
      "ImplicitDeny",
    ],
    ["NumericEquals", { NumericEquals: { "s3:max-keys": 5 } }, { "s3:max-keys": "5" }, "Allow"],
    ["NumericNotEquals", { NumericNotEquals: { "s3:max-keys": 5 } }, { "s3:max-keys": "5" }, "ImplicitDeny"],
    [
      "Numeric on non-number",
      { NumericEquals: { "s3:max-keys": 5 } },
      { "s3:max-keys": "five" },
      "ImplicitDeny",
    ],
    [
      "DateLessThan",
      { DateLessThan: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } },
      { "aws:CurrentTime": now },
      "Allow",
    ],
    [
      "DateGreaterThan",
      { DateGreaterThan: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } },
      { "aws:CurrentTime": now },
      "ImplicitDeny",
    ],
    [
      "DateGreaterThan epoch seconds",
      { DateGreaterThan: { "aws:CurrentTime": "1700000000" } },
      { "aws:CurrentTime": now },
      "Allow",
    ],
    [
      "IpAddress v4",
      { IpAddress: { "aws:SourceIp": "192.0.2.0/24" } },
      { "aws:SourceIp": "192.0.2.77" },
      "Allow",
    ],
    [
      "IpAddress single host",
      { IpAddress: { "aws:SourceIp": "192.0.2.1" } },
      { "aws:SourceIp": "192.0.2.2" },
      "ImplicitDeny",
    ],
    [
      "NotIpAddress",
      { NotIpAddress: { "aws:SourceIp": "192.0.2.0/24" } },
      { "aws:SourceIp": "198.51.100.1" },
      "Allow",
    ],
    ["Null true with missing key", { Null: { "aws:SourceArn": "true" } }, {}, "Allow"],
    [
      "Null false with present key",
      { Null: { "aws:SourceArn": "false" } },
      { "aws:SourceArn": TRAIL },
      "Allow",
    ],
    [
      "Null true with present key",
      { Null: { "aws:SourceArn": "true" } },
      { "aws:SourceArn": TRAIL },
      "ImplicitDeny",
    ],
    [
      "ForAnyValue one matches",
      { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a", "b"] } },
      { "aws:TagKeys": ["x", "b"] },
      "Allow",
    ],
    [
      "ForAnyValue none matches",
      { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } },
      { "aws:TagKeys": ["x"] },
      "ImplicitDeny",
    ],
    ["ForAnyValue empty", { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } }, {}, "ImplicitDeny"],
    [
      "ForAllValues all match",
      { "ForAllValues:StringLike": { "aws:TagKeys": ["a*", "b"] } },
      { "aws:TagKeys": ["a1", "b"] },
      "Allow",
    ],
    [
      "ForAllValues one does not",
      { "ForAllValues:StringEquals": { "aws:TagKeys": ["a"] } },
      { "aws:TagKeys": ["a", "c"] },
      "ImplicitDeny",
    ],
    ["ForAllValues empty holds", { "ForAllValues:StringEquals": { "aws:TagKeys": ["a"] } }, {}, "Allow"],
    [
      "keys under one operator are ANDed",
      { StringEquals: { "aws:username": "alice", "aws:SourceAccount": "1" } },
      { "aws:username": "alice" },
      "ImplicitDeny",
    ],
    [
      "operators are ANDed",
      { StringEquals: { "aws:username": "alice" }, Bool: { "aws:SecureTransport": "true" } },
      { "aws:username": "alice", "aws:SecureTransport": "true" },
      "Allow",
    ],
  ];
  for (const [name, condition, context, expected] of cases) {
    it(name, () => assert.equal(decide(condition, context), expected));
  }
});

describe("statement elements", () => {
  it("NotPrincipal matches everyone but the listed principals", () => {
    const p = parsePolicy(
      doc([{ Effect: "Deny", NotPrincipal: { AWS: alice.id }, Action: "s3:*", Resource: "*" }]),
    );
    assert.equal(evaluate(p, req({})), "ImplicitDeny");
    assert.equal(evaluate(p, req({ principal: mallory })), "Deny");
  });
  it("NotAction and NotResource invert the match", () => {
    const p = parsePolicy(
      doc([{ Effect: "Allow", Principal: "*", NotAction: "s3:Delete*", NotResource: `${BUCKET}/secret/*` }]),
    );
    assert.equal(evaluate(p, req({ action: "s3:GetObject" })), "Allow");
    assert.equal(evaluate(p, req({ action: "s3:DeleteObject" })), "ImplicitDeny");
    assert.equal(evaluate(p, req({ resource: `${BUCKET}/secret/x` })), "ImplicitDeny");
  });
  it("resource wildcards: * spans slashes, ? is one character", () => {
    const p = parsePolicy(
      doc([{ Effect: "Allow", Principal: "*", Action: "*", Resource: "arn:aws:s3:::log?/a*z" }]),
    );
    assert.equal(evaluate(p, req({ resource: "arn:aws:s3:::logs/a/b/z" })), "Allow");
    assert.equal(evaluate(p, req({ resource: "arn:aws:s3:::logs2/a/b/z" })), "ImplicitDeny");
  });
  it("account root ARN and account id are the same principal", () => {
    for (const aws of ["111122223333", "arn:aws:iam::111122223333:root"]) {
      const p = parsePolicy(
        doc([{ Effect: "Allow", Principal: { AWS: aws }, Action: "s3:GetObject", Resource: "*" }]),
      );
      assert.equal(evaluate(p, req({})), "Allow");
      assert.equal(evaluate(p, req({ principal: mallory })), "ImplicitDeny");
    }
  });
  it("a single statement object (not a list) is accepted and the source kept", () => {
    const json = JSON.stringify({
      Statement: { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" },
    });
    const p = parsePolicy(json);
    assert.equal(p.version, "2008-10-17");
    assert.equal(p.source, json);
    assert.equal(evaluate(p, req({})), "Allow");
  });
  it("policy variables are literal text under Version 2008-10-17", () => {
    const json = JSON.stringify({
      Version: "2008-10-17",
      Statement: [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
        { Effect: "Allow", Principal: "*", Action: "*", Resource: "arn:aws:s3:::b/${aws:username}" },
      ],
    });
    assert.equal(
      evaluate(
        parsePolicy(json),
        req({ resource: "arn:aws:s3:::b/alice", context: { "aws:username": "alice" } }),
      ),
      "ImplicitDeny",
    );
  });
});
