import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { tagHandlers } from "./tag-handlers.js";
import { ACCOUNT, BUCKET, context, type TrailFixture, trailFixture } from "./test-support/trail-fixture.js";

const east = context("us-east-1");
const west = context("us-west-2");
const arnOf = (name: string, region = "us-east-1") => `arn:aws:cloudtrail:${region}:${ACCOUNT}:trail/${name}`;

describe("trail API (reference §1.3–1.4, §7)", () => {
  let fx: TrailFixture;
  // The trail API as main composes it, tags covering trails only.
  const h = () => ({ ...fx.service.handlers, ...tagHandlers([fx.service.taggable]) });
  before(async () => {
    // topic-1 has an endpoint (nothing listens: notifications only fail, delivery goes on).
    fx = await trailFixture({ snsEndpoints: [{ topic: "topic-1", url: "http://127.0.0.1:9/" }] });
  });
  after(async () => {
    await fx.close();
    fx.remove();
  });

  test("CreateTrail: CloudTrail's defaults; a new trail is not logging", async () => {
    const out = await h().CreateTrail({ Name: "Trail1", S3BucketName: BUCKET }, east);
    assert.deepEqual(out, {
      Name: "Trail1",
      S3BucketName: BUCKET,
      S3KeyPrefix: undefined,
      SnsTopicName: undefined,
      SnsTopicARN: undefined,
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: false,
      TrailARN: arnOf("Trail1"),
      LogFileValidationEnabled: false,
      CloudWatchLogsLogGroupArn: undefined,
      CloudWatchLogsRoleArn: undefined,
      KmsKeyId: undefined,
      IsOrganizationTrail: false,
    });
    const status = await h().GetTrailStatus({ Name: "Trail1" }, east);
    assert.equal(status.IsLogging, false);
    assert.equal(status.StartLoggingTime, undefined);
    assert.equal(status.TimeLoggingStarted, "");
    const selectors = await h().GetEventSelectors({ TrailName: "Trail1" }, east);
    assert.deepEqual(selectors, {
      TrailARN: arnOf("Trail1"),
      EventSelectors: [
        {
          ReadWriteType: "All",
          IncludeManagementEvents: true,
          DataResources: [],
          ExcludeManagementEventSources: [],
        },
      ],
      AdvancedEventSelectors: undefined,
    });
  });

  test("CreateTrail errors", async () => {
    const bad = async (input: object, code: string, message?: RegExp) =>
      assert.rejects(h().CreateTrail({ Name: "Trail9", S3BucketName: BUCKET, ...input }, east), {
        code,
        ...(message ? { message } : {}),
      });
    await bad({ Name: "ab" }, "InvalidTrailNameException", /too short/);
    await bad({ Name: "my--trail" }, "InvalidTrailNameException", /adjacent/);
    await bad({ Name: "Trail1" }, "TrailAlreadyExistsException");
    await bad({ S3BucketName: "missing-bucket" }, "S3BucketDoesNotExistException", /missing-bucket/);
    await bad({ S3BucketName: "Bad_Bucket" }, "InvalidS3BucketNameException");
    await bad({ S3KeyPrefix: "p".repeat(201) }, "InvalidS3PrefixException");
    await bad(
      { IsMultiRegionTrail: true, IncludeGlobalServiceEvents: false },
      "InvalidParameterCombinationException",
      /^Multi-Region trail must include global service events\.$/,
    );
    await bad({ KmsKeyId: "not a key" }, "InvalidKmsKeyIdException");
    await bad({ SnsTopicName: "bad topic!" }, "InvalidSnsTopicNameException");
    // A topic OpenTrail cannot publish to, as CloudTrail answers for a missing topic or policy.
    await bad({ SnsTopicName: "no-such-topic" }, "InsufficientSnsTopicPolicyException", /no-such-topic/);
    await bad(
      { SnsTopicName: `arn:aws:sns:us-east-1:${ACCOUNT}:other` },
      "InsufficientSnsTopicPolicyException",
      /arn:aws:sns:us-east-1:\d+:other/,
    );
    await bad(
      { CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g:*` },
      "InvalidCloudWatchLogsRoleArnException",
    );
    await bad(
      { CloudWatchLogsLogGroupArn: "arn:aws:logs:nope" },
      "InvalidCloudWatchLogsLogGroupArnException",
    );
    await bad({ TagsList: [{ Key: "aws:x", Value: "v" }] }, "InvalidTagParameterException");
    await bad({ IsOrganizationTrail: true }, "OrganizationsNotInUseException");
    fx.policyAllows.value = false;
    try {
      await bad(
        {},
        "InsufficientS3BucketPolicyException",
        new RegExp(`^Incorrect S3 bucket policy is detected for bucket: ${BUCKET}$`),
      );
    } finally {
      fx.policyAllows.value = true;
    }
  });

  test("settings are normalised: KMS key as ARN, SNS topic name and ARN, CloudWatch pair", async () => {
    const out = await h().CreateTrail(
      {
        Name: "Trail2",
        S3BucketName: BUCKET,
        S3KeyPrefix: "ct",
        SnsTopicName: "topic-1",
        KmsKeyId: "alias/trails",
        CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:ct:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/ct-logs`,
        EnableLogFileValidation: true,
        TagsList: [{ Key: "team", Value: "audit" }],
      },
      east,
    );
    assert.equal(out.KmsKeyId, `arn:aws:kms:us-east-1:${ACCOUNT}:alias/trails`);
    assert.equal(out.SnsTopicName, "topic-1");
    assert.equal(out.SnsTopicARN, `arn:aws:sns:us-east-1:${ACCOUNT}:topic-1`);
    assert.equal(out.LogFileValidationEnabled, true);
    assert.equal(out.S3KeyPrefix, "ct");
    await assert.rejects(h().UpdateTrail({ Name: "Trail2", SnsTopicName: "unknown-topic" }, east), {
      code: "InsufficientSnsTopicPolicyException",
    });
    const updated = await h().UpdateTrail(
      {
        Name: arnOf("Trail2"),
        S3KeyPrefix: "",
        KmsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        SnsTopicName: "",
      },
      east,
    );
    assert.equal(updated.S3KeyPrefix, undefined);
    assert.equal(updated.SnsTopicARN, undefined);
    assert.equal(
      updated.KmsKeyId,
      `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    );
    const { Trail } = await h().GetTrail({ Name: "Trail2" }, east);
    assert.equal(Trail?.HomeRegion, "us-east-1");
    assert.equal(Trail?.HasCustomEventSelectors, false);
    assert.equal(Trail?.HasInsightSelectors, false);
  });

  test("name or ARN addressing; unknown trails answer CloudTrail's message", async () => {
    assert.equal((await h().GetTrail({ Name: arnOf("Trail1") }, east)).Trail?.Name, "Trail1");
    await assert.rejects(h().GetTrail({ Name: "myTrail2" }, east), {
      code: "TrailNotFoundException",
      message: `Unknown trail: myTrail2 for the user: ${ACCOUNT}`,
    });
    await assert.rejects(h().GetTrail({ Name: "arn:aws:cloudtrail:us-east-1:1:trail/x" }, east), {
      code: "CloudTrailARNInvalidException",
    });
    await assert.rejects(h().GetTrail({ Name: "Trail1" }, context("us-east-1", "210987654321")), {
      code: "TrailNotFoundException",
    });
  });

  test("StartLogging / StopLogging set IsLogging and the times (legacy strings too)", async () => {
    await h().StartLogging({ Name: "Trail1" }, east);
    let s = await h().GetTrailStatus({ Name: "Trail1" }, east);
    assert.equal(s.IsLogging, true);
    assert.ok(s.StartLoggingTime instanceof Date);
    assert.match(s.TimeLoggingStarted ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await h().StopLogging({ Name: arnOf("Trail1") }, east);
    s = await h().GetTrailStatus({ Name: "Trail1" }, east);
    assert.equal(s.IsLogging, false);
    assert.ok(s.StopLoggingTime instanceof Date);
  });

  test("multi-Region trails: shadows in other Regions, home-Region-only changes, counted everywhere", async () => {
    await h().CreateTrail({ Name: "Everywhere", S3BucketName: BUCKET, IsMultiRegionTrail: true }, east);
    const westList = (await h().DescribeTrails({}, west)).trailList ?? [];
    assert.deepEqual(
      westList.map((t) => [t.Name, t.HomeRegion]),
      [["Everywhere", "us-east-1"]],
    );
    assert.deepEqual((await h().DescribeTrails({ includeShadowTrails: false }, west)).trailList, []);
    assert.equal(
      (await h().DescribeTrails({ trailNameList: [arnOf("Everywhere")] }, west)).trailList?.length,
      1,
    );
    assert.equal(
      (await h().DescribeTrails({ trailNameList: ["Everywhere", "Nope1"] }, west)).trailList?.length,
      0,
    );
    assert.equal((await h().GetTrailStatus({ Name: arnOf("Everywhere") }, west)).IsLogging, false);
    await assert.rejects(h().GetTrailStatus({ Name: "Everywhere" }, west), {
      code: "TrailNotFoundException",
    });
    await assert.rejects(h().StartLogging({ Name: arnOf("Everywhere") }, west), {
      code: "InvalidHomeRegionException",
    });
    await assert.rejects(h().DeleteTrail({ Name: arnOf("Everywhere") }, west), {
      code: "InvalidHomeRegionException",
    });
    await assert.rejects(h().CreateTrail({ Name: "Everywhere", S3BucketName: BUCKET }, west), {
      code: "TrailAlreadyExistsException",
    });
    // us-west-2 now has 1 (the shadow); 4 more fill it; a 5th is refused with AWS's message.
    for (const n of ["W1x", "W2x", "W3x", "W4x"])
      await h().CreateTrail({ Name: n, S3BucketName: BUCKET }, west);
    await assert.rejects(h().CreateTrail({ Name: "W5x", S3BucketName: BUCKET }, west), {
      code: "MaximumNumberOfTrailsExceededException",
      message: `User: ${ACCOUNT} already has 5 trails in us-west-2.`,
    });
    // A new multi-Region trail would be a 6th in us-west-2.
    await assert.rejects(
      h().CreateTrail({ Name: "Everywhere2", S3BucketName: BUCKET, IsMultiRegionTrail: true }, east),
      {
        code: "MaximumNumberOfTrailsExceededException",
        message: `User: ${ACCOUNT} already has 5 trails in us-west-2.`,
      },
    );
    for (const n of ["W1x", "W2x", "W3x", "W4x"]) await h().DeleteTrail({ Name: n }, west);
  });

  test("ListTrails lists every Region's trails of the account", async () => {
    const { Trails } = await h().ListTrails({}, west);
    assert.deepEqual(
      Trails?.map((t) => t.Name),
      ["Trail1", "Trail2", "Everywhere"],
    );
    assert.equal(Trails?.[0]?.HomeRegion, "us-east-1");
    await assert.rejects(h().ListTrails({ NextToken: "garbage" }, east), {
      code: "InvalidNextTokenException",
    });
  });

  test("tags: add (merge), list, remove, limits", async () => {
    const ResourceId = arnOf("Trail1");
    await h().AddTags(
      {
        ResourceId,
        TagsList: [
          { Key: "a", Value: "1" },
          { Key: "b", Value: "2" },
        ],
      },
      east,
    );
    await h().AddTags({ ResourceId, TagsList: [{ Key: "a", Value: "3" }] }, east);
    let list = await h().ListTags({ ResourceIdList: [ResourceId, arnOf("Trail2")] }, east);
    assert.deepEqual(list.ResourceTagList, [
      {
        ResourceId,
        TagsList: [
          { Key: "a", Value: "3" },
          { Key: "b", Value: "2" },
        ],
      },
      { ResourceId: arnOf("Trail2"), TagsList: [{ Key: "team", Value: "audit" }] },
    ]);
    await h().RemoveTags({ ResourceId, TagsList: [{ Key: "a" }] }, east);
    list = await h().ListTags({ ResourceIdList: [ResourceId] }, east);
    assert.deepEqual(list.ResourceTagList?.[0]?.TagsList, [{ Key: "b", Value: "2" }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await assert.rejects(h().AddTags({ ResourceId, TagsList: many }, east), {
      code: "TagsLimitExceededException",
    });
    await assert.rejects(h().AddTags({ ResourceId: arnOf("Nope1"), TagsList: [] }, east), {
      code: "ResourceNotFoundException",
    });
    await assert.rejects(h().AddTags({ ResourceId: "Trail1", TagsList: [] }, east), {
      code: "CloudTrailARNInvalidException",
    });
    await assert.rejects(
      h().AddTags(
        { ResourceId: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:eventdatastore/abc`, TagsList: [] },
        east,
      ),
      {
        code: "ResourceTypeNotSupportedException",
      },
    );
  });

  test("PutEventSelectors: either kind, validated, replaces the other; home Region only", async () => {
    const basic = await h().PutEventSelectors(
      {
        TrailName: "Trail1",
        EventSelectors: [
          {
            ReadWriteType: "WriteOnly",
            DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::b1x/"] }],
          },
        ],
      },
      east,
    );
    assert.deepEqual(basic.EventSelectors, [
      {
        ReadWriteType: "WriteOnly",
        IncludeManagementEvents: true,
        DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::b1x/"] }],
        ExcludeManagementEventSources: [],
      },
    ]);
    const adv = [{ Name: "mgmt", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] }];
    const out = await h().PutEventSelectors(
      { TrailName: arnOf("Trail1"), AdvancedEventSelectors: adv },
      east,
    );
    assert.deepEqual(out, {
      TrailARN: arnOf("Trail1"),
      EventSelectors: undefined,
      AdvancedEventSelectors: adv,
    });
    assert.equal((await h().GetTrail({ Name: "Trail1" }, east)).Trail?.HasCustomEventSelectors, true);
    await assert.rejects(
      h().PutEventSelectors({ TrailName: "Trail1", EventSelectors: [], AdvancedEventSelectors: [] }, east),
      {
        code: "InvalidParameterCombinationException",
      },
    );
    await assert.rejects(h().PutEventSelectors({ TrailName: "Trail1" }, east), {
      code: "InvalidParameterCombinationException",
    });
    await assert.rejects(
      h().PutEventSelectors(
        {
          TrailName: "Trail1",
          EventSelectors: [{ DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::b1x"] }] }],
        },
        east,
      ),
      {
        code: "InvalidEventSelectorsException",
        message: "Value arn:aws:s3:::b1x for DataResources.Values is invalid.",
      },
    );
    await assert.rejects(
      h().PutEventSelectors({ TrailName: arnOf("Everywhere"), AdvancedEventSelectors: adv }, west),
      { code: "InvalidHomeRegionException" },
    );
    assert.deepEqual(
      (await h().GetEventSelectors({ TrailName: arnOf("Everywhere") }, west)).TrailARN,
      arnOf("Everywhere"),
    );
  });

  test("ListPublicKeys: current key by default (created on demand, file mode 0600), ranges, errors", async () => {
    const { PublicKeyList } = await h().ListPublicKeys({}, east);
    assert.equal(PublicKeyList?.length, 1);
    const key = PublicKeyList?.[0];
    assert.equal(Buffer.from(key?.Value ?? []).length, 270);
    assert.ok(
      (key?.ValidityEndTime?.getTime() ?? 0) - (key?.ValidityStartTime?.getTime() ?? 0) ===
        30 * 24 * 3600 * 1000,
    );
    const folder = join(fx.dir, "trails", "keys", "us-east-1");
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    const file = `${key?.ValidityStartTime?.getTime()}.json`;
    assert.equal(statSync(join(folder, file)).mode & 0o777, 0o600);
    const past = await h().ListPublicKeys({ StartTime: new Date(0), EndTime: new Date(1000) }, east);
    assert.deepEqual(past.PublicKeyList, []);
    const wide = await h().ListPublicKeys(
      { StartTime: new Date(0), EndTime: new Date(Date.now() + 3600_000) },
      east,
    );
    assert.equal(wide.PublicKeyList?.[0]?.Fingerprint, key?.Fingerprint);
    assert.notEqual(
      (await h().ListPublicKeys({}, west)).PublicKeyList?.[0]?.Fingerprint,
      key?.Fingerprint,
      "one key pair per Region",
    );
    await assert.rejects(h().ListPublicKeys({ StartTime: new Date(2000), EndTime: new Date(1000) }, east), {
      code: "InvalidTimeRangeException",
    });
  });

  test("configuration, status, selectors, tags and keys survive a restart", async () => {
    const before = await h().DescribeTrails({}, east);
    const keyBefore = (await h().ListPublicKeys({}, east)).PublicKeyList?.[0]?.Fingerprint;
    await fx.close();
    await fx.reopen();
    assert.deepEqual(await h().DescribeTrails({}, east), before);
    assert.deepEqual(
      (await h().ListTags({ ResourceIdList: [arnOf("Trail1")] }, east)).ResourceTagList?.[0]?.TagsList,
      [{ Key: "b", Value: "2" }],
    );
    assert.equal(
      (await h().GetEventSelectors({ TrailName: "Trail1" }, east)).AdvancedEventSelectors?.[0]?.Name,
      "mgmt",
    );
    assert.ok((await h().GetTrailStatus({ Name: "Trail1" }, east)).StopLoggingTime instanceof Date);
    assert.equal((await h().ListPublicKeys({}, east)).PublicKeyList?.[0]?.Fingerprint, keyBefore);
  });

  test("DeleteTrail removes the trail (not its files)", async () => {
    await h().DeleteTrail({ Name: "Trail2" }, east);
    await assert.rejects(h().GetTrail({ Name: "Trail2" }, east), { code: "TrailNotFoundException" });
    await assert.rejects(h().DeleteTrail({ Name: "Trail2" }, east), { code: "TrailNotFoundException" });
    await h().CreateTrail({ Name: "Trail2", S3BucketName: BUCKET }, east);
  });
});
