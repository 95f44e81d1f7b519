import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AdvancedEventSelector, EventSelector } from "@aws-sdk/client-cloudtrail";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import { DEFAULT_EVENT_SELECTORS } from "../trail-model.js";
import { compileSelectors, validateAdvancedEventSelectors, validateEventSelectors } from "./index.js";

const ACCT = "123456789012";
const FN = `arn:aws:lambda:us-east-1:${ACCT}:function:helloworld`;
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCT}:table/Orders`;

function ev(fields: Partial<CloudTrailEvent>): CloudTrailEvent {
  return {
    eventVersion: "1.11",
    eventTime: "2024-05-01T00:00:00Z",
    awsRegion: "us-east-1",
    eventID: "id",
    eventType: "AwsApiCall",
    eventCategory: "Management",
    ...fields,
  };
}
const s3 = (name: string, readOnly: boolean, key: string, extra: Partial<CloudTrailEvent> = {}) =>
  ev({
    eventCategory: "Data",
    eventSource: "s3.amazonaws.com",
    eventName: name,
    readOnly,
    managementEvent: false,
    resources: [
      { type: "AWS::S3::Object", ARN: `arn:aws:s3:::${key}` },
      { type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${key.split("/")[0]}`, accountId: ACCT },
    ],
    ...extra,
  });

/** Named events; each table row lists exactly which of them its selectors take. */
const EVENTS: Record<string, CloudTrailEvent> = {
  mgmtRead: ev({ eventSource: "cloudtrail.amazonaws.com", eventName: "DescribeTrails", readOnly: true }),
  mgmtWrite: ev({ eventSource: "cloudtrail.amazonaws.com", eventName: "CreateTrail", readOnly: false }),
  kmsWrite: ev({ eventSource: "kms.amazonaws.com", eventName: "Encrypt", readOnly: false }),
  rdsData: ev({ eventSource: "rdsdata.amazonaws.com", eventName: "ExecuteStatement", readOnly: false }),
  legacyMgmt: ev({
    eventCategory: undefined as unknown as string,
    managementEvent: true,
    eventName: "Old",
    readOnly: false,
  }),
  putImage: s3("PutObject", false, "bucket-3/my-images/example.jpg"),
  delImage: s3("DeleteObject", false, "bucket-3/my-images/old.jpg"),
  getVideo: s3("GetObject", true, "bucket-3/my-videos/v.mp4"),
  putOther: s3("PutObject", false, "bucket-4/logs/x.json", {
    userIdentity: { type: "AssumedRole", arn: `arn:aws:sts::${ACCT}:assumed-role/Admin/alice` },
    sessionCredentialFromConsole: "true",
    eventType: "AwsApiCall",
  }),
  invoke: ev({
    eventCategory: "Data",
    eventSource: "lambda.amazonaws.com",
    eventName: "Invoke",
    readOnly: false,
    resources: [{ type: "AWS::Lambda::Function", ARN: FN }],
  }),
  invoke2: ev({
    eventCategory: "Data",
    eventSource: "lambda.amazonaws.com",
    eventName: "Invoke",
    readOnly: false,
    resources: [{ type: "AWS::Lambda::Function", ARN: `${FN}2` }],
  }),
  getItem: ev({
    eventCategory: "Data",
    eventSource: "dynamodb.amazonaws.com",
    eventName: "GetItem",
    readOnly: true,
    resources: [{ type: "AWS::DynamoDB::Table", ARN: TABLE }],
  }),
  vpce: ev({
    eventCategory: "NetworkActivity",
    eventType: "AwsVpceEvent",
    eventSource: "kms.amazonaws.com",
    eventName: "ListKeys",
    errorCode: "VpceAccessDenied",
    vpcEndpointId: "vpce-0123",
  }),
  insight: ev({ eventCategory: "Insight", eventType: "AwsCloudTrailInsight" }),
};

const MGMT = ["mgmtRead", "mgmtWrite", "kmsWrite", "rdsData", "legacyMgmt"];
const b = (...s: EventSelector[]) => ({ eventSelectors: s });
const a = (...s: AdvancedEventSelector[]) => ({ advancedEventSelectors: s });
const f = (Field: string, ops: Record<string, string[]>) => ({ Field, ...ops });
const data = (type: string, ...more: ReturnType<typeof f>[]) => ({
  FieldSelectors: [
    f("eventCategory", { Equals: ["Data"] }),
    f("resources.type", { Equals: [type] }),
    ...more,
  ],
});

const TABLE_CASES: Array<[string, Parameters<typeof compileSelectors>[0], string[]]> = [
  // Basic selectors
  ["default trail: all management events, no data", b(...DEFAULT_EVENT_SELECTORS), MGMT],
  ["no selectors at all selects nothing", b(), []],
  ["ReadOnly management", b({ ReadWriteType: "ReadOnly" }), ["mgmtRead"]],
  ["WriteOnly management", b({ ReadWriteType: "WriteOnly" }), ["mgmtWrite", "kmsWrite", "rdsData", "legacyMgmt"]],
  ["exclude kms", b({ ExcludeManagementEventSources: ["kms.amazonaws.com"] }), ["mgmtRead", "mgmtWrite", "rdsData", "legacyMgmt"]],
  ["exclude kms and rdsdata", b({ ExcludeManagementEventSources: ["kms.amazonaws.com", "rdsdata.amazonaws.com"] }), ["mgmtRead", "mgmtWrite", "legacyMgmt"]],
  ["all S3 objects (arn:aws:s3), no management", b({ IncludeManagementEvents: false, DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3"] }] }), ["putImage", "delImage", "getVideo", "putOther"]],
  ["all S3 objects (arn:aws:s3:::)", b({ IncludeManagementEvents: false, DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::"] }] }), ["putImage", "delImage", "getVideo", "putOther"]],
  ["one bucket (bucket/ = every object)", b({ IncludeManagementEvents: false, DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::bucket-3/"] }] }), ["putImage", "delImage", "getVideo"]],
  ["UG example: bucket-3 prefix my-images WriteOnly", b({ ReadWriteType: "WriteOnly", IncludeManagementEvents: false, DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::bucket-3/my-images"] }] }), ["putImage", "delImage"]],
  ["S3 ReadOnly data + all management", b({ ReadWriteType: "ReadOnly", DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::bucket-3/"] }] }), ["mgmtRead", "getVideo"]],
  ["lambda function ARN is exact (helloworld ≠ helloworld2)", b({ IncludeManagementEvents: false, DataResources: [{ Type: "AWS::Lambda::Function", Values: [FN] }] }), ["invoke"]],
  ["all lambda functions", b({ IncludeManagementEvents: false, DataResources: [{ Type: "AWS::Lambda::Function", Values: ["arn:aws:lambda"] }] }), ["invoke", "invoke2"]],
  ["dynamodb table exact + all tables", b({ IncludeManagementEvents: false, DataResources: [{ Type: "AWS::DynamoDB::Table", Values: [TABLE] }] }), ["getItem"]],
  ["all dynamodb tables", b({ IncludeManagementEvents: false, DataResources: [{ Type: "AWS::DynamoDB::Table", Values: ["arn:aws:dynamodb"] }] }), ["getItem"]],
  ["type mismatch: lambda values never match S3 objects", b({ IncludeManagementEvents: false, DataResources: [{ Type: "AWS::Lambda::Function", Values: ["arn:aws:lambda"] }, { Type: "AWS::S3::Object", Values: ["arn:aws:s3:::bucket-4/"] }] }), ["invoke", "invoke2", "putOther"]],
  ["OR across basic selectors", b({ ReadWriteType: "ReadOnly" }, { IncludeManagementEvents: false, DataResources: [{ Type: "AWS::DynamoDB::Table", Values: ["arn:aws:dynamodb"] }] }), ["mgmtRead", "getItem"]],
  // Advanced selectors
  ["advanced: all management", a({ FieldSelectors: [f("eventCategory", { Equals: ["Management"] })] }), MGMT],
  ["advanced: management readOnly=true", a({ FieldSelectors: [f("eventCategory", { Equals: ["Management"] }), f("readOnly", { Equals: ["true"] })] }), ["mgmtRead"]],
  ["advanced: management readOnly=false, NotEquals kms", a({ FieldSelectors: [f("eventCategory", { Equals: ["Management"] }), f("readOnly", { Equals: ["false"] }), f("eventSource", { NotEquals: ["kms.amazonaws.com"] })] }), ["mgmtWrite", "rdsData", "legacyMgmt"]],
  ["advanced: negative operator with two values = NOT(v1 OR v2)", a({ FieldSelectors: [f("eventCategory", { Equals: ["Management"] }), f("eventSource", { NotEquals: ["kms.amazonaws.com", "rdsdata.amazonaws.com"] })] }), ["mgmtRead", "mgmtWrite", "legacyMgmt"]],
  ["advanced: all S3 object data events", a(data("AWS::S3::Object")), ["putImage", "delImage", "getVideo", "putOther"]],
  ["advanced: Equals eventName (OR within values)", a(data("AWS::S3::Object", f("eventName", { Equals: ["PutObject", "DeleteObject"] }))), ["putImage", "delImage", "putOther"]],
  ["advanced: StartsWith eventName", a(data("AWS::S3::Object", f("eventName", { StartsWith: ["Get"] }))), ["getVideo"]],
  ["advanced: EndsWith eventName", a(data("AWS::S3::Object", f("eventName", { EndsWith: ["Object"] }))), ["putImage", "delImage", "getVideo", "putOther"]],
  ["advanced: NotStartsWith eventName", a(data("AWS::S3::Object", f("eventName", { NotStartsWith: ["Put", "Get"] }))), ["delImage"]],
  ["advanced: NotEndsWith eventName", a(data("AWS::S3::Object", f("eventName", { NotEndsWith: ["Object"] }))), []],
  ["advanced: resources.ARN StartsWith bucket/prefix", a(data("AWS::S3::Object", f("resources.ARN", { StartsWith: ["arn:aws:s3:::bucket-3/my-images/"] }))), ["putImage", "delImage"]],
  ["advanced: resources.ARN Equals exact object", a(data("AWS::S3::Object", f("resources.ARN", { Equals: ["arn:aws:s3:::bucket-3/my-videos/v.mp4"] }))), ["getVideo"]],
  ["advanced: resources.ARN EndsWith .jpg", a(data("AWS::S3::Object", f("resources.ARN", { EndsWith: [".jpg"] }))), ["putImage", "delImage"]],
  ["advanced: NotStartsWith bucket/ excludes objects (not fooled by the bucket resource)", a(data("AWS::S3::Object", f("resources.ARN", { NotStartsWith: ["arn:aws:s3:::bucket-3/"] }))), ["putOther"]],
  ["advanced: NotEquals bucket ARN does not exclude its objects (terraform#28582)", a(data("AWS::S3::Object", f("resources.ARN", { NotEquals: ["arn:aws:s3:::bucket-3"] }))), ["putImage", "delImage", "getVideo", "putOther"]],
  ["advanced: NotEndsWith .jpg", a(data("AWS::S3::Object", f("resources.ARN", { NotEndsWith: [".jpg"] }))), ["getVideo", "putOther"]],
  ["advanced: StartsWith AND NotStartsWith on one field", a(data("AWS::S3::Object", f("resources.ARN", { StartsWith: ["arn:aws:s3:::bucket-3/"], NotStartsWith: ["arn:aws:s3:::bucket-3/my-videos/"] }))), ["putImage", "delImage"]],
  ["advanced: AND of eventName and readOnly", a(data("AWS::S3::Object", f("eventName", { Equals: ["PutObject", "GetObject"] }), f("readOnly", { Equals: ["false"] }))), ["putImage", "putOther"]],
  ["advanced: userIdentity.arn StartsWith role", a(data("AWS::S3::Object", f("userIdentity.arn", { StartsWith: [`arn:aws:sts::${ACCT}:assumed-role/Admin/`] }))), ["putOther"]],
  ["advanced: NotEquals on a field the event lacks holds", a(data("AWS::S3::Object", f("userIdentity.arn", { NotEquals: ["x"] }))), ["putImage", "delImage", "getVideo", "putOther"]],
  ["advanced: sessionCredentialFromConsole Equals true", a(data("AWS::S3::Object", f("sessionCredentialFromConsole", { Equals: ["true"] }))), ["putOther"]],
  ["advanced: eventType Equals", a(data("AWS::S3::Object", f("eventType", { Equals: ["AwsApiCall"] }), f("eventName", { Equals: ["GetObject"] }))), ["getVideo"]],
  ["advanced: eventSource on data", a(data("AWS::Lambda::Function", f("eventSource", { Equals: ["lambda.amazonaws.com"] }))), ["invoke", "invoke2"]],
  ["advanced: lambda resources.ARN Equals", a(data("AWS::Lambda::Function", f("resources.ARN", { Equals: [FN] }))), ["invoke"]],
  ["advanced: network activity errorCode + vpcEndpointId", a({ FieldSelectors: [f("eventCategory", { Equals: ["NetworkActivity"] }), f("eventSource", { Equals: ["kms.amazonaws.com"] }), f("errorCode", { Equals: ["VpceAccessDenied"] }), f("vpcEndpointId", { StartsWith: ["vpce-"] })] }), ["vpce"]],
  ["advanced: OR across selectors", a({ FieldSelectors: [f("eventCategory", { Equals: ["Management"] }), f("readOnly", { Equals: ["true"] })] }, data("AWS::DynamoDB::Table")), ["mgmtRead", "getItem"]],
  ["advanced replaces basic when both are stored", { eventSelectors: DEFAULT_EVENT_SELECTORS, advancedEventSelectors: [data("AWS::DynamoDB::Table")] }, ["getItem"]],
  ["advanced: empty list selects nothing", a(), []],
]; // biome-ignore format: a table reads best one row per line

describe("event selection table (reference §6)", () => {
  for (const [name, spec, expected] of TABLE_CASES) {
    test(name, () => {
      const matches = compileSelectors(spec);
      const got = Object.entries(EVENTS)
        .filter(([, e]) => matches(e))
        .map(([n]) => n);
      assert.deepEqual(got.sort(), [...expected].sort());
    });
  }
  test("Insight events are never selected by a trail", () => {
    for (const [, spec] of TABLE_CASES)
      assert.equal(compileSelectors(spec)(EVENTS.insight as CloudTrailEvent), false);
  });
});

const BAD_BASIC: Array<[string, EventSelector[], RegExp]> = [
  ["six selectors", Array.from({ length: 6 }, () => ({})), /valid number of EventSelectors/],
  ["bad ReadWriteType", [{ ReadWriteType: "Sometimes" as "All" }], /Value Sometimes for ReadWriteType is invalid/],
  ["bare bucket ARN (needs a trailing slash)", [{ DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::data-bucket"] }] }], /Value arn:aws:s3:::data-bucket for DataResources.Values is invalid\./],
  ["wildcard bucket", [{ DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::*"] }] }], /Value arn:aws:s3:::\* for DataResources.Values is invalid/],
  ["wildcard lambda", [{ DataResources: [{ Type: "AWS::Lambda::Function", Values: ["arn:aws:lambda:*"] }] }], /Value arn:aws:lambda:\* for DataResources.Values is invalid/],
  ["unknown type", [{ DataResources: [{ Type: "AWS::EC2::Instance", Values: ["arn:aws:ec2"] }] }], /DataResources.Type is invalid/],
  ["no values", [{ DataResources: [{ Type: "AWS::S3::Object", Values: [] }] }], /DataResources.Values is invalid/],
  ["251 values", [{ DataResources: [{ Type: "AWS::S3::Object", Values: Array.from({ length: 251 }, (_, i) => `arn:aws:s3:::bucket-${i}/`) }] }], /DataResources.Values \(0 to 250\)/],
  ["no management and no data", [{ IncludeManagementEvents: false }], /When includeManagementEvents is false, DataResources must not be empty/],
  ["exclude an unsupported source", [{ ExcludeManagementEventSources: ["s3.amazonaws.com"] }], /ExcludeManagementEventSources is invalid/],
]; // biome-ignore format: table

const BAD_ADVANCED: Array<[string, AdvancedEventSelector[], RegExp]> = [
  ["no field selectors", [{ FieldSelectors: [] }], /at least one field selector/],
  ["missing eventCategory", [{ FieldSelectors: [f("readOnly", { Equals: ["true"] })] }], /eventCategory is required/],
  ["eventCategory with StartsWith", [{ FieldSelectors: [f("eventCategory", { StartsWith: ["Man"] })] }], /supports only Equals/],
  ["unknown category", [{ FieldSelectors: [f("eventCategory", { Equals: ["Insight"] })] }], /eventCategory is required/],
  ["readOnly value", [{ FieldSelectors: [f("eventCategory", { Equals: ["Management"] }), f("readOnly", { Equals: ["yes"] })] }], /readOnly is invalid/],
  ["management eventName not allowed on trails", [{ FieldSelectors: [f("eventCategory", { Equals: ["Management"] }), f("eventName", { Equals: ["X"] })] }], /not supported for Management/],
  ["management eventSource Equals", [{ FieldSelectors: [f("eventCategory", { Equals: ["Management"] }), f("eventSource", { Equals: ["kms.amazonaws.com"] })] }], /only NotEquals kms/],
  ["data without resources.type", [{ FieldSelectors: [f("eventCategory", { Equals: ["Data"] })] }], /resources.type with Equals/],
  ["data with two types", [{ FieldSelectors: [f("eventCategory", { Equals: ["Data"] }), f("resources.type", { Equals: ["AWS::S3::Object", "AWS::Lambda::Function"] })] }], /resources.type with Equals and one value/],
  ["resources.ARN Equals must be a full ARN", [data("AWS::S3::Object", f("resources.ARN", { Equals: ["bucket/key"] }))], /full ARN/],
  ["empty operator list", [data("AWS::S3::Object", f("eventName", { Equals: [] }))], /at least one value/],
  ["empty value", [data("AWS::S3::Object", f("eventName", { Equals: [""] }))], /1 to 2048/],
  ["value too long", [data("AWS::S3::Object", f("eventName", { Equals: ["x".repeat(2049)] }))], /1 to 2048/],
  ["field used twice", [data("AWS::S3::Object", f("eventName", { Equals: ["a"] }), f("eventName", { Equals: ["b"] }))], /more than once/],
  ["bad field name", [data("AWS::S3::Object", f("event-name", { Equals: ["a"] }))], /not valid/],
  ["field without operator", [data("AWS::S3::Object", { Field: "eventName" })], /at least one operator/],
  ["network activity without eventSource", [{ FieldSelectors: [f("eventCategory", { Equals: ["NetworkActivity"] })] }], /need eventSource/],
  ["501 values", [data("AWS::S3::Object", f("eventName", { Equals: Array.from({ length: 499 }, (_, i) => `e${i}`) }))], /at most 500 values/],
]; // biome-ignore format: table

describe("selector validation (InvalidEventSelectorsException)", () => {
  for (const [name, selectors, message] of BAD_BASIC) {
    test(`basic: ${name}`, () =>
      assert.throws(() => validateEventSelectors(selectors), {
        code: "InvalidEventSelectorsException",
        message,
      }));
  }
  for (const [name, selectors, message] of BAD_ADVANCED) {
    test(`advanced: ${name}`, () =>
      assert.throws(() => validateAdvancedEventSelectors(selectors), {
        code: "InvalidEventSelectorsException",
        message,
      }));
  }
  test("every selector of the table is valid", () => {
    for (const [, spec] of TABLE_CASES) {
      if (spec.advancedEventSelectors) validateAdvancedEventSelectors(spec.advancedEventSelectors);
      else if (
        spec.eventSelectors?.every((s) => s.IncludeManagementEvents !== false || s.DataResources?.length)
      )
        validateEventSelectors(spec.eventSelectors);
    }
  });
});
