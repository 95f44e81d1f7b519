import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type CloudTrailClient,
  CreateChannelCommand,
  DeleteChannelCommand,
  DeleteResourcePolicyCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
} from "@aws-sdk/client-cloudtrail";
import type { OpenTrail } from "../../main.js";
import { ADMIN, OTHER } from "../../test-support/fixtures.js";
import { logEvents } from "../../test-support/log-events.js";
import { cloudTrailClient } from "../../test-support/server.js";
import { awsCli, createStore, policyOf, rejects, restartableServer } from "../test-support.js";

/** PutResourcePolicy/GetResourcePolicy/DeleteResourcePolicy on channels and event data stores. */
describe("resource-based policies: API, validation, durability", () => {
  const server = restartableServer();
  const dir = server.dir;
  let app: OpenTrail;
  let ct: CloudTrailClient;
  let store: string;
  let channel: string;
  const get = (arn: string) => ct.send(new GetResourcePolicyCommand({ ResourceArn: arn }));
  const put = (arn: string, policy: string) =>
    ct.send(new PutResourcePolicyCommand({ ResourceArn: arn, ResourcePolicy: policy }));

  before(async () => {
    app = await server.start();
    ct = cloudTrailClient(app.url);
    store = (
      await createStore(ct, "app-activity", {
        AdvancedEventSelectors: [
          { Name: "apps", FieldSelectors: [{ Field: "eventCategory", Equals: ["ActivityAuditLog"] }] },
        ],
      })
    ).arn;
    const created = await ct.send(
      new CreateChannelCommand({
        Name: "partner",
        Source: "Custom",
        Destinations: [{ Type: "EVENT_DATA_STORE", Location: store }],
      }),
    );
    channel = created.ChannelArn as string;
  });
  after(async () => {
    ct?.destroy();
    await app?.stop();
    dir.remove();
  });

  it("puts, gets and deletes the policies of a channel and a store; each call is recorded", async () => {
    await rejects(get(channel), "ResourcePolicyNotFoundException");
    const channelPolicy = policyOf(
      channel,
      [`arn:aws:iam::${OTHER.accountId}:root`],
      ["cloudtrail-data:PutAuditEvents"],
    );
    const out = await put(channel, channelPolicy);
    assert.equal(out.ResourceArn, channel);
    assert.equal(out.ResourcePolicy, channelPolicy);
    assert.equal((await get(channel)).ResourcePolicy, channelPolicy);
    const storePolicy = policyOf(
      store,
      [OTHER.accountId],
      ["cloudtrail:StartQuery", "cloudtrail:GetQueryResults"],
    );
    await put(store, storePolicy);
    const replaced = policyOf(store, [OTHER.accountId], ["cloudtrail:StartQuery"]);
    await put(store, replaced);
    const got = await get(store);
    assert.deepEqual(
      { arn: got.ResourceArn, policy: got.ResourcePolicy, admin: got.DelegatedAdminResourcePolicy },
      { arn: store, policy: replaced, admin: undefined },
    );

    const deleted = await ct.send(new DeleteResourcePolicyCommand({ ResourceArn: channel }));
    assert.equal(deleted.$metadata.httpStatusCode, 200);
    await rejects(get(channel), "ResourcePolicyNotFoundException");
    await rejects(
      ct.send(new DeleteResourcePolicyCommand({ ResourceArn: channel })),
      "ResourcePolicyNotFoundException",
    );

    const calls = logEvents(app.log).filter((e) => /ResourcePolicy$/.test(e.eventName ?? ""));
    const putCall = calls.find((e) => e.eventName === "PutResourcePolicy");
    assert.equal(putCall?.eventSource, "cloudtrail.amazonaws.com");
    assert.equal(putCall?.readOnly, false);
    assert.deepEqual(putCall?.requestParameters, { resourceArn: channel, resourcePolicy: channelPolicy });
    assert.deepEqual(putCall?.responseElements, { resourceArn: channel, resourcePolicy: channelPolicy });
    const getCall = calls.find((e) => e.eventName === "GetResourcePolicy" && !e.errorCode);
    assert.equal(getCall?.readOnly, true);
    assert.equal(getCall?.responseElements, null);
    const refused = calls.find((e) => e.errorCode === "ResourcePolicyNotFoundException");
    assert.ok(refused, "refused calls are recorded with their error code");
    assert.ok(calls.some((e) => e.eventName === "DeleteResourcePolicy" && !e.errorCode));
  });

  it("answers CloudTrail's errors for invalid, unsupported, unknown and foreign resources", async () => {
    const policy = policyOf(store, [OTHER.accountId], ["cloudtrail:StartQuery"]);
    const account = ADMIN.accountId;
    for (const [arn, error] of [
      ["not-an-arn", "ResourceARNNotValidException"],
      [`arn:aws:cloudtrail:us-east-1:${account}:eventdatastore/bad_id`, "ResourceARNNotValidException"],
      [`arn:aws:cloudtrail:us-east-1:${account}:channel/x_y`, "ResourceARNNotValidException"],
      [`arn:aws:cloudtrail:us-east-1:${account}:trail/main`, "ResourceTypeNotSupportedException"],
      ["arn:aws:s3:::audit-logs", "ResourceTypeNotSupportedException"],
      [`arn:aws:cloudtrail:us-east-1:${account}:dashboard/exampleDash`, "ResourceNotFoundException"],
      [store.replace(/[0-9a-f]{12}$/, "000000000000"), "ResourceNotFoundException"],
      [channel.replace(/[0-9a-f]{12}$/, "000000000000"), "ResourceNotFoundException"],
      [store.replace(account, OTHER.accountId), "ResourceNotFoundException"],
    ] as const) {
      await rejects(put(arn, policy), error, undefined);
      await rejects(get(arn), error);
      await rejects(ct.send(new DeleteResourcePolicyCommand({ ResourceArn: arn })), error);
    }
    const other = cloudTrailClient(app.url, OTHER);
    await rejects(
      other.send(new GetResourcePolicyCommand({ ResourceArn: store })),
      "ResourceNotFoundException",
    );
    await rejects(
      other.send(new PutResourcePolicyCommand({ ResourceArn: channel, ResourcePolicy: policy })),
      "ResourceNotFoundException",
    );
    other.destroy();
  });

  it("refuses policies CloudTrail refuses with ResourcePolicyNotValidException, changing nothing", async () => {
    const before = policyOf(store, [OTHER.accountId], ["cloudtrail:StartQuery"]);
    await put(store, before);
    const root = `arn:aws:iam::${OTHER.accountId}:root`;
    const statement = {
      Effect: "Allow",
      Principal: { AWS: root },
      Action: "cloudtrail:StartQuery",
      Resource: store,
    };
    const doc = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
    // biome-ignore format: one case a line
    const invalid: Array<[string, string, RegExp]> = [
      [store, "{not json", /invalid Json/],
      [store, "", /1 to 8192/],
      [store, doc([statement]).padEnd(8193, " "), /1 to 8192/],
      [store, policyOf(store, [root], ["cloudtrail:DeleteEventDataStore"]), /not supported/],
      [store, policyOf(store, [root], ["cloudtrail:*"]), /not supported/],
      [store, policyOf(store, [root], ["*"]), /not supported/],
      [store, policyOf(store, [root], ["cloudtrail-data:PutAuditEvents"]), /invalid action/],
      [channel, policyOf(channel, [root], ["cloudtrail:StartQuery"]), /invalid action/],
      [channel, policyOf(channel, [root], ["cloudtrail-data:PutAuditEvents", "cloudtrail-data:Other"]), /not supported/],
      [store, policyOf(channel, [root], ["cloudtrail:StartQuery"]), /invalid resource/],
      [channel, policyOf(store, [root], ["cloudtrail-data:PutAuditEvents"]), /invalid resource/],
      [store, policyOf(store, ["arn:aws:iam::bad"], ["cloudtrail:StartQuery"]), /Invalid principal/],
      [store, doc([{ Effect: "Allow", Action: "cloudtrail:StartQuery", Resource: store }]), /Principal/],
      [store, doc([{ Effect: "Allow", Principal: { AWS: root }, NotAction: "cloudtrail:StartQuery", Resource: store }]), /NotAction/],
      [store, doc(Array.from({ length: 21 }, (_, i) => Object.assign({ Sid: `s${i}` }, statement))), /at most 20 statements/],
      [store, policyOf(store, Array.from({ length: 51 }, (_, i) => String(100000000000 + i)), ["cloudtrail:StartQuery"]), /at most 50 principals/],
      [channel, doc([{ Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "cloudtrail-data:PutAuditEvents", Resource: channel }]), /accounts, users or roles/],
      [store, doc([{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "cloudtrail:StartQuery", Resource: store }]), /cloudtrail.amazonaws.com/],
      [store, doc([]), /Statement/],
    ];
    for (const [arn, text, message] of invalid)
      await rejects(put(arn, text), "ResourcePolicyNotValidException", message);
    assert.equal((await get(store)).ResourcePolicy, before, "a refused policy changes nothing");
    // CloudTrail's own dashboard statement is accepted next to a cross-account one.
    const dashboards = store.replace(/eventdatastore\/.*/, "dashboard/*");
    // biome-ignore format: one statement a line
    const both = doc([
      statement,
      { Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "cloudtrail:StartQuery", Resource: dashboards },
    ]);
    await put(store, both);
  });

  it("keeps policies across a restart and deletes them with their resource", async () => {
    const channelPolicy = policyOf(channel, [OTHER.accountId], ["cloudtrail-data:PutAuditEvents"]);
    await put(channel, channelPolicy);
    const storePolicy = (await get(store)).ResourcePolicy;
    await app.stop();
    app = await server.start();
    ct.destroy();
    ct = cloudTrailClient(app.url);
    assert.equal((await get(channel)).ResourcePolicy, channelPolicy);
    assert.equal((await get(store)).ResourcePolicy, storePolicy);
    await ct.send(new DeleteChannelCommand({ Channel: channel }));
    await rejects(get(channel), "ResourceNotFoundException");
  });

  it("the AWS CLI puts and reads a policy", async () => {
    const cli = awsCli(app.url, dir.path);
    const policy = policyOf(
      store,
      [OTHER.accountId],
      ["cloudtrail:StartQuery", "cloudtrail:GetQueryResults"],
    );
    const put = await cli(
      "cloudtrail",
      "put-resource-policy",
      "--resource-arn",
      store,
      "--resource-policy",
      policy,
    );
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(JSON.parse(put.stdout), { ResourceArn: store, ResourcePolicy: policy });
    const bad = await cli("cloudtrail", "get-resource-policy", "--resource-arn", "nope");
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ResourceARNNotValidException/);
  });
});
