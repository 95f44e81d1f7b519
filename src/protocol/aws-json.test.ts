import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeJsonError, encodeJsonOutput, parseJsonRequest } from "./aws-json.js";
import { AwsError } from "./errors.js";
import { loadServiceModel } from "./service-model.js";

const model = loadServiceModel("cloudtrail-2013-11-01");
const T = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as AwsError).code;
  }
  return "no error";
}

test("decodes timestamps from epoch seconds (ints and floats) into Dates", () => {
  const r = parseJsonRequest(
    model,
    `${T}.LookupEvents`,
    Buffer.from('{"StartTime":1714521600,"EndTime":1714608000.5}'),
  );
  assert.equal(r.operation, "LookupEvents");
  assert.equal((r.input.StartTime as Date).toISOString(), "2024-05-01T00:00:00.000Z");
  assert.equal((r.input.EndTime as Date).getTime(), 1714608000500);
});

test("takes the JS SDK's short target form too", () => {
  assert.equal(
    parseJsonRequest(model, "CloudTrail_20131101.DescribeTrails", Buffer.from("{}")).operation,
    "DescribeTrails",
  );
  assert.equal(
    code(() => parseJsonRequest(model, "CloudTrail_20131101.constructor", Buffer.from("{}"))),
    "UnknownOperationException",
  );
});

test("empty body is an empty input; unknown members are dropped", () => {
  assert.deepEqual(parseJsonRequest(model, `${T}.DescribeTrails`, Buffer.alloc(0)).input, {});
  assert.deepEqual(parseJsonRequest(model, `${T}.DescribeTrails`, Buffer.from('{"Bogus":1}')).input, {});
});

test("nested lists and structures are typed too", () => {
  const body =
    '{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateTrail"}],"MaxResults":5}';
  const r = parseJsonRequest(model, `${T}.LookupEvents`, Buffer.from(body));
  assert.deepEqual(r.input, {
    LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateTrail" }],
    MaxResults: 5,
  });
});

test("errors, table-driven", () => {
  const cases: Array<[string, string, string]> = [
    [`${T}.Nope`, "{}", "UnknownOperationException"],
    ["", "{}", "UnknownOperationException"],
    [`Other_1.LookupEvents`, "{}", "UnknownOperationException"],
    [`${T}.LookupEvents`, "{", "SerializationException"],
    [`${T}.LookupEvents`, "[]", "SerializationException"],
    [`${T}.LookupEvents`, '{"MaxResults":1.5}', "SerializationException"],
    [`${T}.LookupEvents`, '{"StartTime":"yesterday"}', "SerializationException"],
    [`${T}.LookupEvents`, '{"LookupAttributes":{}}', "SerializationException"],
    [`${T}.LookupEvents`, '{"LookupAttributes":[{"AttributeKey":"EventName"}]}', "ValidationException"],
    [`${T}.CreateTrail`, '{"Name":"x"}', "ValidationException"],
    [
      `${T}.CreateTrail`,
      '{"Name":"x","S3BucketName":"b","IsMultiRegionTrail":"yes"}',
      "SerializationException",
    ],
  ];
  for (const [target, body, expected] of cases) {
    assert.equal(
      code(() => parseJsonRequest(model, target, Buffer.from(body))),
      expected,
      `${target} ${body}`,
    );
  }
});

test("several missing members are listed together, camelCased like Coral", () => {
  try {
    parseJsonRequest(model, `${T}.CreateTrail`, Buffer.from("{}"));
    assert.fail("expected an error");
  } catch (e) {
    assert.equal(
      (e as AwsError).message,
      "2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; " +
        "Value null at 's3BucketName' failed to satisfy constraint: Member must not be null",
    );
  }
});

test("output: Dates become epoch seconds, bytes base64, undefined dropped", () => {
  const out = encodeJsonOutput({
    T: new Date(1454022144869),
    V: Buffer.from("hi"),
    U: undefined,
    L: [new Date(0)],
  });
  assert.equal(out, '{"T":1454022144.869,"V":"aGk=","L":[0]}');
});

test("error body", () => {
  assert.equal(
    encodeJsonError(new AwsError("TrailNotFoundException", "Unknown trail")),
    '{"__type":"TrailNotFoundException","message":"Unknown trail"}',
  );
});
