import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { CreateTrailCommand, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { ADMIN, OTHER, PARTNER_ROLE_NAME, ROLE_NAME } from "../test-support/fixtures.js";
import { eventByRequestId, logEvents } from "../test-support/log-events.js";
import { cloudTrailClient, startTestServer, stsTestClient, type TestServer } from "../test-support/server.js";

const run = promisify(execFile);

/** OpenTrail records every call to its own API the way CloudTrail records calls to itself. */
describe("OpenTrail audits itself", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  test("a successful read call becomes a readOnly management event of the caller", async () => {
    const out = await cloudTrailClient(server.url).send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateTrail" }],
        MaxResults: 5,
      }),
    );
    const ev = eventByRequestId(server.app.log, out.$metadata.requestId);
    assert.equal(ev.eventVersion, "1.11");
    assert.deepEqual(ev.userIdentity, {
      type: "IAMUser",
      principalId: ev.userIdentity?.principalId,
      arn: `arn:aws:iam::${ADMIN.accountId}:user/${ADMIN.userName}`,
      accountId: ADMIN.accountId,
      accessKeyId: ADMIN.accessKeyId,
      userName: ADMIN.userName,
    });
    assert.match(ev.userIdentity?.principalId ?? "", /^AIDA[A-Z0-9]{17}$/);
    assert.equal(ev.eventSource, "cloudtrail.amazonaws.com");
    assert.equal(ev.eventName, "LookupEvents");
    assert.equal(ev.awsRegion, "us-east-1");
    assert.equal(ev.sourceIPAddress, "127.0.0.1");
    assert.match(ev.userAgent ?? "", /aws-sdk-js/);
    assert.deepEqual(ev.requestParameters, {
      lookupAttributes: [{ attributeKey: "EventName", attributeValue: "CreateTrail" }],
      maxResults: 5,
    });
    assert.equal(ev.responseElements, null);
    assert.equal(ev.readOnly, true);
    assert.equal(ev.eventType, "AwsApiCall");
    assert.equal(ev.managementEvent, true);
    assert.equal(ev.recipientAccountId, ADMIN.accountId);
    assert.equal(ev.eventCategory, "Management");
    assert.match(ev.eventTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  test("a failed call is recorded with its error code and message", async () => {
    const client = cloudTrailClient(server.url);
    const err = await client.send(new LookupEventsCommand({ MaxResults: 99 })).catch((e) => e);
    assert.equal(err.name, "InvalidMaxResultsException");
    const ev = eventByRequestId(server.app.log, err.$metadata.requestId);
    assert.equal(ev.errorCode, "InvalidMaxResultsException");
    assert.equal(ev.errorMessage, err.message);
    assert.equal(ev.responseElements, null);
  });

  test("a write call is recorded with readOnly false", async () => {
    const err = await cloudTrailClient(server.url)
      .send(new CreateTrailCommand({ Name: "t1", S3BucketName: "b" }))
      .catch((e) => e);
    const ev = eventByRequestId(server.app.log, err.$metadata.requestId);
    assert.equal(ev.readOnly, false);
    assert.deepEqual(ev.requestParameters, { name: "t1", s3BucketName: "b" });
  });

  test("STS: GetCallerIdentity and AssumeRole are recorded; AssumeRole credentials are recorded as AssumedRole", async () => {
    const sts = stsTestClient(server.url);
    const who = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Account, ADMIN.accountId);
    assert.equal(who.Arn, `arn:aws:iam::${ADMIN.accountId}:user/${ADMIN.userName}`);
    const whoEvent = eventByRequestId(server.app.log, who.$metadata.requestId);
    assert.deepEqual([whoEvent.eventSource, whoEvent.readOnly], ["sts.amazonaws.com", true]);

    const roleArn = `arn:aws:iam::${ADMIN.accountId}:role/${ROLE_NAME}`;
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "investigation" }),
    );
    const c = assumed.Credentials;
    assert.match(c?.AccessKeyId ?? "", /^ASIA/);
    const assumeEvent = eventByRequestId(server.app.log, assumed.$metadata.requestId);
    assert.equal(assumeEvent.eventSource, "sts.amazonaws.com");
    assert.equal(
      JSON.stringify(assumeEvent).includes(c?.SecretAccessKey ?? "-"),
      false,
      "secret must not be recorded",
    );

    const asRole = cloudTrailClient(server.url, {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken,
    });
    const out = await asRole.send(new LookupEventsCommand({ MaxResults: 1 }));
    const ev = eventByRequestId(server.app.log, out.$metadata.requestId);
    const id = ev.userIdentity;
    assert.equal(id?.type, "AssumedRole");
    assert.equal(id?.arn, `arn:aws:sts::${ADMIN.accountId}:assumed-role/${ROLE_NAME}/investigation`);
    assert.equal(id?.accessKeyId, c?.AccessKeyId);
    assert.match(id?.principalId ?? "", /^AROA[A-Z0-9]+:investigation$/);
    assert.equal(id?.sessionContext?.sessionIssuer?.type, "Role");
    assert.equal(id?.sessionContext?.sessionIssuer?.arn, roleArn);
    assert.equal(id?.sessionContext?.sessionIssuer?.userName, ROLE_NAME);
    assert.equal(id?.sessionContext?.attributes?.mfaAuthenticated, "false");
  });

  test("STS: AssumeRole of another account's role is recorded for both accounts, under one sharedEventID", async () => {
    const sts = stsTestClient(server.url, OTHER);
    const copies = (requestId: string | undefined) => {
      const found = logEvents(server.app.log).filter((e) => e.requestID === requestId);
      assert.deepEqual(
        found.map((e) => e.recipientAccountId).sort(),
        [ADMIN.accountId, OTHER.accountId].sort(),
      );
      assert.ok(found[0]?.sharedEventID && found[0].sharedEventID === found[1]?.sharedEventID);
      assert.notEqual(found[0]?.eventID, found[1]?.eventID);
      return found;
    };
    const partnerRole = `arn:aws:iam::${ADMIN.accountId}:role/${PARTNER_ROLE_NAME}`;
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: partnerRole, RoleSessionName: "partner" }),
    );
    for (const e of copies(assumed.$metadata.requestId)) {
      assert.equal(e.userIdentity?.accountId, OTHER.accountId);
      assert.equal(e.errorCode, undefined);
    }
    // A role that does not trust the caller's account: the role's account sees the attempt too.
    const refused = await sts
      .send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${ADMIN.accountId}:role/${ROLE_NAME}`,
          RoleSessionName: "refused",
        }),
      )
      .catch((e: { name: string; $metadata: { requestId?: string } }) => e);
    assert.equal((refused as { name: string }).name, "AccessDenied");
    for (const e of copies((refused as { $metadata: { requestId?: string } }).$metadata.requestId))
      assert.equal(e.errorCode, "AccessDenied");
    // GetCallerIdentity concerns no other account: one record, no link.
    const who = await sts.send(new GetCallerIdentityCommand({}));
    const own = logEvents(server.app.log).filter((e) => e.requestID === who.$metadata.requestId);
    assert.deepEqual(
      own.map((e) => [e.recipientAccountId, e.sharedEventID]),
      [[OTHER.accountId, undefined]],
    );
    sts.destroy();
  });

  test("the AWS CLI works unmodified and its calls are recorded with its user agent", async () => {
    const { stdout } = await run(
      "aws",
      ["cloudtrail", "lookup-events", "--max-results", "3", "--output", "json"],
      {
        env: {
          ...process.env,
          AWS_CONFIG_FILE: `${server.dir.path}/no-aws-config`,
          AWS_SHARED_CREDENTIALS_FILE: `${server.dir.path}/no-aws-credentials`,
          AWS_ENDPOINT_URL: server.url,
          AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
          AWS_DEFAULT_REGION: "us-east-1",
        },
      },
    );
    assert.ok(Array.isArray(JSON.parse(stdout).Events));
    const cli = logEvents(server.app.log).filter((e) => (e.userAgent ?? "").startsWith("aws-cli/"));
    assert.ok(cli.length >= 1);
    assert.equal(cli.at(-1)?.eventName, "LookupEvents");
    assert.match(cli.at(-1)?.userAgent ?? "", /botocore\//);
  });
});
