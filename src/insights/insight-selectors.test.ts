import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import {
  type CloudTrailClient,
  CreateEventDataStoreCommand,
  CreateTrailCommand,
  GetInsightSelectorsCommand,
  GetTrailCommand,
  ListInsightsDataCommand,
  ListInsightsMetricDataCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
} from "@aws-sdk/client-cloudtrail";
import { ADMIN } from "../test-support/fixtures.js";
import { cloudTrailClient, startTestServer, type TestServer } from "../test-support/server.js";
import { loggingTrail, trailArn, trailBucket } from "./test-support.js";

const exec = promisify(execFile);
const BUCKET = "insight-selector-logs";

async function rejects(p: Promise<unknown>, code: string, status = 400): Promise<void> {
  await assert.rejects(p, (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, code);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

/** PutInsightSelectors / GetInsightSelectors on trails, and the Insights read APIs' validation (reference §1.3, §6.4). */
describe("insight selectors", () => {
  let server: TestServer;
  let ct: CloudTrailClient;
  before(async () => {
    server = await startTestServer();
    ct = cloudTrailClient(server.url);
    await trailBucket(server.url, BUCKET);
    await loggingTrail(ct, "Main", BUCKET);
  });
  after(async () => {
    ct?.destroy();
    await server?.stop();
  });

  test("a trail without Insights: InsightNotEnabledException, HasInsightSelectors false", async () => {
    await rejects(
      ct.send(new GetInsightSelectorsCommand({ TrailName: "Main" })),
      "InsightNotEnabledException",
    );
    const { Trail } = await ct.send(new GetTrailCommand({ Name: "Main" }));
    assert.equal(Trail?.HasInsightSelectors, false);
  });

  test("put, get (by name or ARN), HasInsightSelectors; an empty list turns Insights off", async () => {
    const selectors = [
      { InsightType: "ApiCallRateInsight" as const },
      { InsightType: "ApiErrorRateInsight" as const, EventCategories: ["Management" as const] },
    ];
    const put = await ct.send(
      new PutInsightSelectorsCommand({ TrailName: "Main", InsightSelectors: selectors }),
    );
    assert.equal(put.TrailARN, trailArn("Main"));
    assert.deepEqual(put.InsightSelectors, selectors);
    const got = await ct.send(new GetInsightSelectorsCommand({ TrailName: trailArn("Main") }));
    assert.deepEqual(got.InsightSelectors, selectors);
    assert.equal((await ct.send(new GetTrailCommand({ Name: "Main" }))).Trail?.HasInsightSelectors, true);
    await ct.send(new PutInsightSelectorsCommand({ TrailName: "Main", InsightSelectors: [] }));
    await rejects(
      ct.send(new GetInsightSelectorsCommand({ TrailName: "Main" })),
      "InsightNotEnabledException",
    );
  });

  test("InvalidInsightSelectorsException: unknown or repeated type, bad categories", async () => {
    const bad = [
      [{ InsightType: "ApiWhateverInsight" }],
      [{}],
      [{ InsightType: "ApiCallRateInsight" }, { InsightType: "ApiCallRateInsight" }],
      [{ InsightType: "ApiCallRateInsight", EventCategories: [] }],
      [{ InsightType: "ApiCallRateInsight", EventCategories: ["Network"] }],
      [{ InsightType: "ApiCallRateInsight", EventCategories: ["Management", "Management"] }],
    ];
    for (const InsightSelectors of bad)
      await rejects(
        ct.send(
          new PutInsightSelectorsCommand({ TrailName: "Main", InsightSelectors: InsightSelectors as never }),
        ),
        "InvalidInsightSelectorsException",
      );
  });

  test("the trail must log write management events for call rate, any management events for error rate", async () => {
    await ct.send(new CreateTrailCommand({ Name: "ReadOnly", S3BucketName: BUCKET }));
    await ct.send(
      new PutEventSelectorsCommand({
        TrailName: "ReadOnly",
        EventSelectors: [{ ReadWriteType: "ReadOnly", IncludeManagementEvents: true }],
      }),
    );
    await rejects(
      ct.send(
        new PutInsightSelectorsCommand({
          TrailName: "ReadOnly",
          InsightSelectors: [{ InsightType: "ApiCallRateInsight" }],
        }),
      ),
      "InvalidInsightSelectorsException",
    );
    await ct.send(
      new PutInsightSelectorsCommand({
        TrailName: "ReadOnly",
        InsightSelectors: [{ InsightType: "ApiErrorRateInsight" }],
      }),
    );
    await rejects(
      ct.send(
        new PutInsightSelectorsCommand({
          TrailName: "ReadOnly",
          InsightSelectors: [{ InsightType: "ApiErrorRateInsight", EventCategories: ["Data"] }],
        }),
      ),
      "InvalidInsightSelectorsException",
    );
  });

  test("trail errors: TrailNotFound, InvalidTrailName, CloudTrailARNInvalid, InvalidHomeRegion", async () => {
    const put = (TrailName: string, client = ct) =>
      client.send(
        new PutInsightSelectorsCommand({
          TrailName,
          InsightSelectors: [{ InsightType: "ApiCallRateInsight" }],
        }),
      );
    await rejects(put("Nope"), "TrailNotFoundException");
    await rejects(ct.send(new GetInsightSelectorsCommand({ TrailName: "Nope" })), "TrailNotFoundException");
    await rejects(put("a"), "InvalidTrailNameException");
    await rejects(put("arn:aws:cloudtrail:us-east-1:123:trail/x"), "CloudTrailARNInvalidException");
    const west = cloudTrailClient(server.url, ADMIN, "us-west-2");
    try {
      await rejects(put(trailArn("Main"), west), "TrailNotFoundException");
      await ct.send(
        new CreateTrailCommand({ Name: "Everywhere", S3BucketName: BUCKET, IsMultiRegionTrail: true }),
      );
      await rejects(put(trailArn("Everywhere"), west), "InvalidHomeRegionException");
    } finally {
      west.destroy();
    }
  });

  test("InvalidParameterCombinationException: TrailName with EventDataStore, or neither", async () => {
    const store =
      "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE";
    const selectors = [{ InsightType: "ApiCallRateInsight" as const }];
    await rejects(
      ct.send(
        new PutInsightSelectorsCommand({
          TrailName: "Main",
          EventDataStore: store,
          InsightSelectors: selectors,
        }),
      ),
      "InvalidParameterCombinationException",
    );
    await rejects(
      ct.send(new PutInsightSelectorsCommand({ InsightSelectors: selectors })),
      "InvalidParameterCombinationException",
    );
    await rejects(
      ct.send(
        new PutInsightSelectorsCommand({
          TrailName: "Main",
          InsightsDestination: store,
          InsightSelectors: selectors,
        }),
      ),
      "InvalidParameterCombinationException",
    );
  });

  test("event data stores: unknown store, bad ARN, missing destination", async () => {
    const selectors = [{ InsightType: "ApiCallRateInsight" as const }];
    const unknown =
      "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/00000000-0000-4000-8000-000000000000";
    await rejects(
      ct.send(
        new PutInsightSelectorsCommand({
          EventDataStore: unknown,
          InsightsDestination: unknown,
          InsightSelectors: selectors,
        }),
      ),
      "EventDataStoreNotFoundException",
    );
    await rejects(
      ct.send(new GetInsightSelectorsCommand({ EventDataStore: "not-an-arn" })),
      "EventDataStoreARNInvalidException",
    );
  });

  test("event data stores: source logs management events, destination collects Insights events", async () => {
    const source = await ct.send(new CreateEventDataStoreCommand({ Name: "mgmt-store" }));
    const destination = await ct.send(
      new CreateEventDataStoreCommand({
        Name: "insights-store",
        AdvancedEventSelectors: [{ FieldSelectors: [{ Field: "eventCategory", Equals: ["Insight"] }] }],
      }),
    );
    const selectors = [{ InsightType: "ApiCallRateInsight" as const }];
    const put = (input: object) =>
      ct.send(
        new PutInsightSelectorsCommand({
          EventDataStore: source.EventDataStoreArn,
          InsightSelectors: selectors,
          ...input,
        }),
      );
    await rejects(put({}), "InvalidParameterCombinationException");
    await rejects(put({ InsightsDestination: source.EventDataStoreArn }), "InvalidParameterException");
    await rejects(
      put({
        InsightsDestination: destination.EventDataStoreArn,
        InsightSelectors: [{ InsightType: "ApiCallRateInsight", EventCategories: ["Data"] }],
      }),
      "InvalidInsightSelectorsException",
    );
    await rejects(
      ct.send(new GetInsightSelectorsCommand({ EventDataStore: source.EventDataStoreArn })),
      "InsightNotEnabledException",
    );
    const out = await put({ InsightsDestination: destination.EventDataStoreArn });
    assert.equal(out.EventDataStoreArn, source.EventDataStoreArn);
    assert.equal(out.InsightsDestination, destination.EventDataStoreArn);
    const got = await ct.send(new GetInsightSelectorsCommand({ EventDataStore: source.EventDataStoreArn }));
    assert.deepEqual(
      [got.EventDataStoreArn, got.InsightsDestination, got.InsightSelectors],
      [source.EventDataStoreArn, destination.EventDataStoreArn, selectors],
    );
    await put({ InsightSelectors: [] });
    await rejects(
      ct.send(new GetInsightSelectorsCommand({ EventDataStore: source.EventDataStoreArn })),
      "InsightNotEnabledException",
    );
  });

  test("ListInsightsData and ListInsightsMetricData: InvalidParameterException for bad input", async () => {
    const data = (input: object) =>
      ct.send(
        new ListInsightsDataCommand({
          InsightSource: trailArn("Main"),
          DataType: "InsightsEvents",
          ...input,
        }),
      );
    await rejects(data({ DataType: "Other" }), "InvalidParameterException");
    await rejects(data({ MaxResults: 51 }), "InvalidParameterException");
    await rejects(data({ Dimensions: { Username: "bob" } }), "InvalidParameterException");
    await rejects(data({ StartTime: new Date(2000), EndTime: new Date(1000) }), "InvalidParameterException");
    await rejects(data({ NextToken: "garbage-token" }), "InvalidParameterException");
    await rejects(data({ InsightSource: trailArn("Nope") }), "InvalidParameterException");
    assert.deepEqual((await data({})).Events, []);
    const metric = (input: object) =>
      ct.send(
        new ListInsightsMetricDataCommand({
          EventSource: "ec2.amazonaws.com",
          EventName: "RunInstances",
          InsightType: "ApiCallRateInsight",
          ...input,
        }),
      );
    await rejects(metric({ InsightType: "ApiErrorRateInsight" }), "InvalidParameterException");
    await rejects(metric({ Period: 120 }), "InvalidParameterException");
    await rejects(metric({ EventSource: "ec2" }), "InvalidParameterException");
    await rejects(metric({ DataType: "Everything" }), "InvalidParameterException");
    await rejects(metric({ MaxResults: 0 }), "InvalidParameterException");
    await rejects(
      metric({ StartTime: new Date(5000), EndTime: new Date(1000) }),
      "InvalidParameterException",
    );
    await rejects(metric({ TrailName: "a" }), "InvalidTrailNameException");
    const empty = await metric({});
    assert.deepEqual([empty.Timestamps, empty.Values], [[], []]);
  });

  test("the AWS CLI puts and gets insight selectors", async () => {
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: server.dir.path,
      AWS_ENDPOINT_URL: server.url,
      AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_CONFIG_FILE: join(server.dir.path, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(server.dir.path, "no-aws-credentials"),
    };
    const aws = (...args: string[]) =>
      exec("aws", ["cloudtrail", ...args, "--output", "json"], { env, timeout: 60_000 });
    await aws(
      "put-insight-selectors",
      "--trail-name",
      "Main",
      "--insight-selectors",
      '[{"InsightType":"ApiCallRateInsight"}]',
    );
    const { stdout } = await aws("get-insight-selectors", "--trail-name", "Main");
    assert.deepEqual(JSON.parse(stdout), {
      TrailARN: trailArn("Main"),
      InsightSelectors: [{ InsightType: "ApiCallRateInsight" }],
    });
    await aws("put-insight-selectors", "--trail-name", "Main", "--insight-selectors", "[]");
    await assert.rejects(aws("get-insight-selectors", "--trail-name", "Main"), /InsightNotEnabledException/);
  });
});
