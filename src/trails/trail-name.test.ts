import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatTrailArn, parseTrailArn, parseTrailRef, trailNameProblem } from "./trail-name.js";

describe("trail names (reference §1.4)", () => {
  const cases: Array<[string, RegExp | undefined]> = [
    ["MyTrail", undefined],
    ["my-trail_1.log", undefined],
    ["abc", undefined],
    ["a".repeat(128), undefined],
    ["ab", /too short.*Specified name length: 2/],
    ["", /too short.*Specified name length: 0/],
    ["a".repeat(129), /too long.*Specified name length: 129/],
    ["-trail", /must starts with a letter or number/],
    ["_trail", /must starts with a letter or number/],
    ["trail.", /must ends with a letter or number/],
    ["trail-", /must ends with a letter or number/],
    ["my trail", /can only contain/],
    ["my/trail", /can only contain/],
    ["tráil", /can only contain/],
    ["my-_namespace", /adjacent/],
    ["my--namespace", /adjacent/],
    ["my..trail", /adjacent/],
    ["my._trail", /adjacent/],
    ["192.168.5.4", /IP address/],
    ["10.0.0.1", /IP address/],
    ["192.168.5", undefined],
    ["1.2.3.4.5", undefined],
  ];
  for (const [name, expected] of cases) {
    test(`${JSON.stringify(name.length > 20 ? `${name.slice(0, 12)}…(${name.length})` : name)} → ${expected ?? "valid"}`, () => {
      const problem = trailNameProblem(name);
      if (expected) assert.match(problem ?? "", expected);
      else assert.equal(problem, undefined);
    });
  }
});

describe("trail ARNs and name-or-ARN addressing", () => {
  test("format and parse round-trip", () => {
    const arn = formatTrailArn("us-east-2", "123456789012", "MyTrail");
    assert.equal(arn, "arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail");
    assert.deepEqual(parseTrailArn(arn), {
      partition: "aws",
      region: "us-east-2",
      accountId: "123456789012",
      name: "MyTrail",
    });
  });

  test("rejects ARNs of other resources and malformed ones", () => {
    for (const bad of [
      "arn:aws:cloudtrail:us-east-2:123456789012:eventdatastore/x",
      "arn:aws:cloudtrail:us-east-2:12345:trail/x",
      "arn:aws:s3:::bucket",
    ]) {
      assert.equal(parseTrailArn(bad), undefined, bad);
    }
  });

  test("parseTrailRef: arn: prefix means ARN (CloudTrailARNInvalid), else a name (InvalidTrailName)", () => {
    assert.deepEqual(parseTrailRef("Trail1"), { kind: "name", name: "Trail1" });
    assert.equal(parseTrailRef("arn:aws:cloudtrail:us-east-1:123456789012:trail/Trail1").kind, "arn");
    assert.throws(() => parseTrailRef("arn:aws:cloudtrail:us-east-1:1:trail/T1"), {
      code: "CloudTrailARNInvalidException",
    });
    assert.throws(() => parseTrailRef("arn:aws:cloudtrail:us-east-1:123456789012:trail/-x"), {
      code: "CloudTrailARNInvalidException",
    });
    assert.throws(() => parseTrailRef("x"), { code: "InvalidTrailNameException" });
    assert.throws(() => parseTrailRef(undefined), { code: "InvalidTrailNameException" });
  });
});
