import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CloudTrailEvent, UserIdentity } from "../events/cloudtrail-event.js";
import { eventFields, toLookupEvent, usernameOf } from "./event-fields.js";
import { splitRecord } from "./record-codec.js";
import { readFields, recordView } from "./record-view.js";
import { generated, realData } from "./test-support.js";

const base = {
  eventVersion: "1.09",
  eventTime: "2024-05-01T10:00:00Z",
  eventSource: "iam.amazonaws.com",
  eventName: "ListUsers",
  awsRegion: "us-east-1",
  eventID: "3c1f7e1a-0d7b-4a43-9c55-2f1e0b8f1a10",
  readOnly: true,
  eventType: "AwsApiCall",
  recipientAccountId: "123456789012",
  eventCategory: "Management",
} satisfies CloudTrailEvent;

function viaSplit(record: unknown) {
  const text = JSON.stringify(record);
  const split = splitRecord(text);
  assert.ok(split);
  return readFields(text, split.parts, split.slots);
}

describe("usernameOf", () => {
  it("shows what CloudTrail's event history shows", () => {
    const cases: Array<[UserIdentity | undefined, string | undefined]> = [
      [{ type: "IAMUser", userName: "alice", arn: "arn:aws:iam::1:user/alice" }, "alice"],
      [{ type: "Root", arn: "arn:aws:iam::1:root", userName: "my-alias" }, "root"],
      [
        {
          type: "AssumedRole",
          arn: "arn:aws:sts::1:assumed-role/Admin/bob@example.com",
          principalId: "AROA:x",
        },
        "bob@example.com",
      ],
      [{ type: "AssumedRole", principalId: "AROAEXAMPLE:session-1" }, "session-1"],
      [
        {
          type: "FederatedUser",
          arn: "arn:aws:sts::1:federated-user/stratus_red_team",
          principalId: "1:stratus_red_team",
        },
        "stratus_red_team",
      ],
      [{ type: "Unknown", arn: "arn:aws:sts::1:assumed-role/SSO/AdanAlvarez" }, "AdanAlvarez"],
      [{ type: "WebIdentityUser", userName: "user-id", identityProvider: "accounts.google.com" }, "user-id"],
      [{ type: "AWSService", invokedBy: "ec2.amazonaws.com" }, undefined],
      [undefined, undefined],
    ];
    for (const [identity, want] of cases) assert.equal(usernameOf(identity), want, JSON.stringify(identity));
  });
});

describe("eventFields", () => {
  it("keeps management and Insights events only", () => {
    const cases: Array<[Partial<CloudTrailEvent>, string | undefined]> = [
      [{}, "management"],
      [{ eventCategory: "Insight", eventType: "AwsCloudTrailInsight" }, "insight"],
      [{ eventCategory: "Data", managementEvent: false }, undefined],
      [{ eventCategory: "NetworkActivity" }, undefined],
      [{ eventCategory: undefined }, "management"],
      [{ eventCategory: undefined, managementEvent: false }, undefined],
      [{ eventCategory: undefined, eventType: "AwsCloudTrailInsight" }, "insight"],
      [{ eventID: "" }, undefined],
      [{ eventTime: "yesterday" }, undefined],
    ];
    for (const [change, want] of cases) {
      const record = { ...base, ...change } as CloudTrailEvent;
      assert.equal(eventFields(record)?.category, want, JSON.stringify(change));
      assert.equal(viaSplit(record)?.fields.category, want, JSON.stringify(change));
    }
  });

  it("reads Insights events' name and source from insightDetails", () => {
    const insight = {
      eventVersion: "1.07",
      eventTime: "2024-05-01T10:00:00Z",
      awsRegion: "us-east-1",
      eventID: "EXAMPLE8-9621-4d00-b913-beca2EXAMPLE",
      eventType: "AwsCloudTrailInsight",
      recipientAccountId: "123456789012",
      insightDetails: {
        state: "Start",
        eventSource: "ssm.amazonaws.com",
        eventName: "UpdateInstanceInformation",
      },
      eventCategory: "Insight",
    };
    const fields = viaSplit(insight)?.fields;
    assert.equal(fields?.eventName, "UpdateInstanceInformation");
    assert.equal(fields?.eventSource, "ssm.amazonaws.com");
    assert.deepEqual(fields, eventFields(insight as CloudTrailEvent));
  });

  it("reads the same fields from the split record as from JSON.parse, for every real and generated record", () => {
    const records = [...realData().all, ...generated(3000, { seed: 5 })];
    for (const record of records)
      assert.deepEqual(viaSplit(record)?.fields, eventFields(record), record.eventID);
  });

  it("unescapes values and falls back to JSON.parse for JSON that is not compact", () => {
    const record = { ...base, userIdentity: { type: "IAMUser", userName: 'a "quoted" \\ name\n' } };
    assert.equal(viaSplit(record)?.fields.username, 'a "quoted" \\ name\n');
    const pretty = JSON.stringify(record, null, 2);
    const split = splitRecord(pretty);
    assert.equal(
      readFields(pretty, split?.parts ?? [], split?.slots ?? [])?.fields.username,
      'a "quoted" \\ name\n',
    );
  });

  it("takes the last of duplicate keys, like JSON.parse", () => {
    const text = `{"eventName":"First",${JSON.stringify(base).slice(1)}`;
    const split = splitRecord(text);
    assert.equal(recordView(split?.parts ?? [], split?.slots ?? []).eventName, "ListUsers");
  });
});

describe("toLookupEvent", () => {
  it("maps a record to LookupEvents' Event", () => {
    const record = {
      ...base,
      userIdentity: { type: "IAMUser", userName: "alice", accessKeyId: "AKIAEXAMPLE" },
      resources: [
        { ARN: "arn:aws:iam::123456789012:user/bob", accountId: "123456789012", type: "AWS::IAM::User" },
        { type: "AWS::IAM::Policy" },
      ],
    };
    const json = JSON.stringify(record);
    const fields = eventFields(record) as NonNullable<ReturnType<typeof eventFields>>;
    assert.deepEqual(toLookupEvent(fields, record, json), {
      EventId: base.eventID,
      EventName: "ListUsers",
      ReadOnly: "true",
      AccessKeyId: "AKIAEXAMPLE",
      EventTime: new Date("2024-05-01T10:00:00Z"),
      EventSource: "iam.amazonaws.com",
      Username: "alice",
      Resources: [
        { ResourceType: "AWS::IAM::User", ResourceName: "arn:aws:iam::123456789012:user/bob" },
        { ResourceType: "AWS::IAM::Policy" },
      ],
      CloudTrailEvent: json,
    });
  });
});
