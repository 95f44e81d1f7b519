import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, resolveConfig } from "./config.js";
import { parseSnsEndpoint, parseSnsEndpoints, SnsEndpointSpecError } from "./sns-endpoints.js";

describe("--sns-endpoint TOPIC=URL", () => {
  test("a topic name or ARN, and an http(s) URL", () => {
    assert.deepEqual(parseSnsEndpoint("trail-files=http://127.0.0.1:9000/hook"), {
      topic: "trail-files",
      url: "http://127.0.0.1:9000/hook",
    });
    const arn = "arn:aws:sns:eu-west-1:123456789012:audit_topic";
    assert.equal(parseSnsEndpoint(`${arn}=https://example.com/sns?x=1`).topic, arn);
    assert.equal(parseSnsEndpoint(`${arn}=https://example.com/sns?x=1`).url, "https://example.com/sns?x=1");
  });

  test("bad specs name the problem", () => {
    for (const [spec, why] of [
      ["no-url", /missing TOPIC=/],
      ["bad topic=http://x", /neither an SNS topic name nor a topic ARN/],
      ["t=not a url", /is not a URL/],
      ["t=ftp://x", /http or https/],
    ] as const) {
      assert.throws(
        () => parseSnsEndpoint(spec),
        (e: Error) => e instanceof SnsEndpointSpecError && why.test(e.message),
      );
    }
  });

  test("flags win over OPENTRAIL_SNS_ENDPOINTS (';'-separated); a topic once; ConfigError in resolveConfig", () => {
    assert.deepEqual(
      parseSnsEndpoints(undefined, "a=http://h:1/; b=http://h:2/").map((e) => e.topic),
      ["a", "b"],
    );
    assert.equal(parseSnsEndpoints(["c=http://h:3/"], "a=http://h:1/")[0]?.topic, "c");
    assert.throws(() => parseSnsEndpoints(["a=http://h:1/", "a=http://h:2/"], undefined), /configured twice/);
    assert.equal(resolveConfig({ snsEndpoint: ["a=http://h:1/"] }, {}).snsEndpoints[0]?.url, "http://h:1/");
    assert.deepEqual(resolveConfig({}, {}).snsEndpoints, []);
    assert.throws(() => resolveConfig({ snsEndpoint: ["nope"] }, {}), ConfigError);
  });
});
