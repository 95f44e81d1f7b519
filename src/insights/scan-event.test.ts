import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEventGenerator } from "../../bench/support/event-generator.js";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { serializeEvent } from "../events/serialize-event.js";
import { emptyScan, fromEvent, scanEvent } from "./scan-event.js";

const scan = (e: CloudTrailEvent | string) =>
  scanEvent(Buffer.from(typeof e === "string" ? e : serializeEvent(e)), emptyScan());
const parsed = (e: CloudTrailEvent) => fromEvent(JSON.parse(serializeEvent(e)), emptyScan());

const base: CloudTrailEvent = {
  eventVersion: "1.11",
  userIdentity: {
    type: "AssumedRole",
    principalId: "AROA:s",
    arn: "arn:aws:sts::111122223333:assumed-role/R/s",
    accountId: "111122223333",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: "AROA",
        arn: "arn:aws:iam::111122223333:role/R",
        accountId: "111122223333",
        userName: "R",
      },
    },
  },
  eventTime: "2024-02-29T23:59:58Z",
  eventSource: "iam.amazonaws.com",
  eventName: "CreateUser",
  awsRegion: "us-east-1",
  sourceIPAddress: "192.0.2.1",
  userAgent: "aws-cli/2.15",
  errorCode: "AccessDenied",
  errorMessage: "no",
  requestParameters: { userName: "x", errorCode: "decoy", eventName: "decoy" },
  responseElements: null,
  requestID: "r",
  eventID: "6f2ba5e1-0c1d-4e6b-9f0a-1c2d3e4f5a6b",
  readOnly: false,
  eventType: "AwsApiCall",
  managementEvent: true,
  recipientAccountId: "111122223333",
  eventCategory: "Management",
};

/** The fast reader must agree with a full parse on every record, or give up to it. */
describe("scanEvent", () => {
  test("agrees with JSON.parse on generated records", () => {
    const g = createEventGenerator({ count: 3000, seed: 9 });
    for (let i = 0; i < 3000; i++) {
      const e = g.next();
      assert.deepEqual(scan(e), parsed(e), serializeEvent(e));
    }
  });

  const cases: Array<[string, CloudTrailEvent]> = [
    ["keys inside requestParameters are not taken for top-level ones", base],
    ["no errorCode", { ...base, errorCode: undefined, errorMessage: undefined }],
    ["escaped characters in the user agent", { ...base, userAgent: 'curl "quoted" \\ and\nnewline' }],
    ["non-ASCII", { ...base, userAgent: "SDK/1 ünïcødé 日本" }],
    [
      "an AWS service caller (invokedBy)",
      { ...base, userIdentity: { type: "AWSService", invokedBy: "lambda.amazonaws.com" } },
    ],
    ["a data event, read-only", { ...base, eventCategory: "Data", managementEvent: false, readOnly: true }],
    [
      "no requestParameters (a console sign-in)",
      { ...base, requestParameters: undefined, eventType: "AwsConsoleSignIn" },
    ],
    [
      "before eventVersion 1.07: no eventCategory",
      { ...base, eventCategory: undefined as unknown as string },
    ],
    ["a leap day at midnight", { ...base, eventTime: "2024-02-29T00:00:00Z" }],
    [
      "a service event in the tail",
      { ...base, serviceEventDetails: { eventCategory: "decoy", readOnly: true } },
    ],
  ];
  for (const [name, e] of cases) test(name, () => assert.deepEqual(scan(e), parsed(e)));

  test("an Insights event and records that are not events", () => {
    const insight = {
      eventVersion: "1.11",
      eventTime: "2024-01-01T00:01:00Z",
      awsRegion: "us-east-1",
      eventID: "6f2ba5e1-0c1d-4e6b-9f0a-1c2d3e4f5a6b",
      eventType: "AwsCloudTrailInsight",
      recipientAccountId: "111122223333",
      insightDetails: { state: "Start" },
      eventCategory: "Insight",
    } as CloudTrailEvent;
    assert.equal(scan(insight)?.category, "Insight");
    assert.equal(scan("not json"), undefined);
    assert.equal(scan('{"eventTime":"yesterday"}'), undefined);
    assert.equal(scan("[1,2]"), undefined);
  });

  test("fields read", () => {
    const s = scan(base);
    assert.deepEqual(s, {
      timeMs: Date.parse("2024-02-29T23:59:58Z"),
      account: "111122223333",
      region: "us-east-1",
      eventSource: "iam.amazonaws.com",
      eventName: "CreateUser",
      errorCode: "AccessDenied",
      readOnly: false,
      category: "Management",
      apiCall: true,
      identity: "arn:aws:sts::111122223333:assumed-role/R/s",
      userAgent: "aws-cli/2.15",
    });
  });
});
