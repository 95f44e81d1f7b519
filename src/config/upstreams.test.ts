import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, resolveConfig } from "./config.js";
import { parseUpstream, parseUpstreams, UpstreamSpecError } from "./upstreams.js";

describe("--upstream SERVICE=URL[,options]", () => {
  test("pass-through and re-signing entries", () => {
    assert.deepEqual(parseUpstream("dynamodb=http://127.0.0.1:8000"), {
      service: "dynamodb",
      url: "http://127.0.0.1:8000",
    });
    assert.deepEqual(
      parseUpstream(
        "s3=https://minio.local:9000/,accessKeyId=AK,secretAccessKey=SK,region=eu-west-1,timeout=2.5",
      ),
      {
        service: "s3",
        url: "https://minio.local:9000",
        credentials: { accessKeyId: "AK", secretAccessKey: "SK", sessionToken: undefined },
        region: "eu-west-1",
        timeoutSeconds: 2.5,
      },
    );
  });

  const bad: Array<[string, RegExp]> = [
    ["dynamodb", /missing SERVICE=/],
    ["=http://x", /missing SERVICE=/],
    ["Dynamo DB=http://x", /not a signing name/],
    ["dynamodb=not a url", /not a URL/],
    ["dynamodb=ftp://x", /http or https/],
    ["dynamodb=http://x,colour=red", /unknown option 'colour'/],
    ["dynamodb=http://x,accessKeyId=AK", /go together/],
    ["dynamodb=http://x,timeout=0", /positive/],
  ];
  for (const [spec, message] of bad) {
    test(`refuses ${spec}`, () => {
      assert.throws(
        () => parseUpstream(spec),
        (e: Error) => e instanceof UpstreamSpecError && message.test(e.message),
      );
    });
  }

  test("errors never echo a secret", () => {
    assert.throws(
      () => parseUpstream("s3=http://x,accessKeyId=AK,secretAccessKey=TOPSECRET,colour=1"),
      (e: Error) => !e.message.includes("TOPSECRET") && e.message.includes("secretAccessKey=***"),
    );
  });

  test("flags win over OPENTRAIL_UPSTREAMS; entries are ';'-separated; one per service", () => {
    assert.deepEqual(
      parseUpstreams(undefined, "dynamodb=http://a:1; kinesis=http://b:2").map((u) => u.service),
      ["dynamodb", "kinesis"],
    );
    assert.equal(parseUpstreams(["sqs=http://c:3"], "dynamodb=http://a:1")[0]?.service, "sqs");
    assert.throws(() => parseUpstreams(["sqs=http://a:1", "sqs=http://b:2"], undefined), /configured twice/);
  });

  test("resolveConfig: upstreams, timeout and trusted proxies, with ConfigError on bad input", () => {
    const c = resolveConfig(
      { upstream: ["dynamodb=http://127.0.0.1:8000"], trustedProxy: ["10.0.0.0/8"] },
      { OPENTRAIL_UPSTREAM_TIMEOUT: "5" },
    );
    assert.equal(c.upstreams[0]?.service, "dynamodb");
    assert.equal(c.upstreamTimeoutSeconds, 5);
    assert.deepEqual(c.trustedProxies, ["10.0.0.0/8"]);
    assert.deepEqual(resolveConfig({}, { OPENTRAIL_TRUSTED_PROXIES: "127.0.0.1, ::1/128" }).trustedProxies, [
      "127.0.0.1",
      "::1/128",
    ]);
    assert.throws(() => resolveConfig({ upstream: ["nope"] }, {}), ConfigError);
    assert.throws(() => resolveConfig({ trustedProxy: ["10.0.0.0/33"] }, {}), ConfigError);
    assert.throws(() => resolveConfig({ trustedProxy: ["example.com"] }, {}), ConfigError);
  });
});
