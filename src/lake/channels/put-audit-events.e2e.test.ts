import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  type CloudTrailClient,
  CreateChannelCommand,
  DeleteChannelCommand,
  DeleteEventDataStoreCommand,
  GetChannelCommand,
  ListChannelsCommand,
  UpdateChannelCommand,
} from "@aws-sdk/client-cloudtrail";
import { ADMIN, OTHER } from "../../test-support/fixtures.js";
import { logEvents } from "../../test-support/log-events.js";
import { cloudTrailClient, startTestServer, type TestServer } from "../../test-support/server.js";
import { signedFetch } from "../../test-support/signed-fetch.js";
import { awsCli, createStore, query } from "../test-support.js";

const checksum = (s: string) => createHash("sha256").update(s).digest("base64");

function eventData(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: "1.0",
    userIdentity: { type: "CustomUser", principalId: "alice@example.com", details: { team: "payments" } },
    userAgent: "billing-app/2.1",
    eventSource: "billing.example.com",
    eventName: "RefundIssued",
    eventTime: "2024-05-01T10:00:00Z",
    UID: `uid-${Math.random()}`,
    requestParameters: { orderId: "o-1", amount: 12.5 },
    sourceIPAddress: "192.0.2.10",
    recipientAccountId: ADMIN.accountId,
    ...overrides,
  });
}

/** Channels and cloudtrail-data's PutAuditEvents, signed with @smithy/signature-v4 and via the AWS CLI. */
describe("channels and PutAuditEvents", () => {
  let server: TestServer;
  let ct: CloudTrailClient;
  let store: { arn: string; id: string };
  let channelArn: string;
  const put = (channel: string, body: unknown, creds = ADMIN, extra = "") =>
    signedFetch(server.url, {
      service: "cloudtrail-data",
      path: `/PutAuditEvents?channelArn=${encodeURIComponent(channel)}${extra}`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      creds,
    });

  before(async () => {
    server = await startTestServer();
    ct = cloudTrailClient(server.url);
    store = await createStore(ct, "app-activity", {
      RetentionPeriod: 3653,
      AdvancedEventSelectors: [
        { Name: "apps", FieldSelectors: [{ Field: "eventCategory", Equals: ["ActivityAuditLog"] }] },
      ],
    });
    const channel = await ct.send(
      new CreateChannelCommand({
        Name: "billing-app",
        Source: "Custom",
        Destinations: [{ Type: "EVENT_DATA_STORE", Location: store.arn }],
      }),
    );
    channelArn = channel.ChannelArn as string;
  });
  after(async () => {
    await server?.stop();
  });

  it("channel API: get, list, update, errors", async () => {
    const got = await ct.send(new GetChannelCommand({ Channel: channelArn }));
    assert.equal(got.Source, "Custom");
    assert.deepEqual(got.Destinations, [{ Type: "EVENT_DATA_STORE", Location: store.arn }]);
    const listed = await ct.send(new ListChannelsCommand({}));
    assert.deepEqual(
      listed.Channels?.map((c) => c.Name),
      ["billing-app"],
    );
    const mgmt = await createStore(ct, "management-only");
    const rejects = async (p: Promise<unknown>, name: string) =>
      assert.rejects(p, (e: Error) => e.name === name || assert.fail(`${e.name}: ${e.message}`));
    await rejects(
      ct.send(
        new CreateChannelCommand({
          Name: "bad",
          Source: "Custom",
          Destinations: [{ Type: "EVENT_DATA_STORE", Location: mgmt.arn }],
        }),
      ),
      "InvalidEventDataStoreCategoryException",
    );
    await rejects(
      ct.send(
        new CreateChannelCommand({
          Name: "billing-app",
          Source: "Custom",
          Destinations: [{ Type: "EVENT_DATA_STORE", Location: store.arn }],
        }),
      ),
      "ChannelAlreadyExistsException",
    );
    await rejects(
      ct.send(
        new CreateChannelCommand({
          Name: "xyz1",
          Source: "PartnerX",
          Destinations: [{ Type: "EVENT_DATA_STORE", Location: store.arn }],
        }),
      ),
      "InvalidSourceException",
    );
    await rejects(ct.send(new GetChannelCommand({ Channel: "not-a-channel" })), "ChannelARNInvalidException");
    await rejects(
      ct.send(new GetChannelCommand({ Channel: channelArn.replace(/.{4}$/, "0000") })),
      "ChannelNotFoundException",
    );
    await rejects(
      ct.send(new DeleteEventDataStoreCommand({ EventDataStore: store.arn })),
      "ChannelExistsForEDSException",
    );
    const renamed = await ct.send(new UpdateChannelCommand({ Channel: channelArn, Name: "billing" }));
    assert.equal(renamed.Name, "billing");
  });

  it("per-event successes and failures with CloudTrail's codes; durable before the response", async () => {
    const good = eventData();
    const body = {
      auditEvents: [
        { id: "good-1", eventData: good, eventDataChecksum: checksum(good) },
        { id: "bad-checksum", eventData: eventData(), eventDataChecksum: checksum("something else") },
        { id: "no-name", eventData: eventData({ eventName: undefined }) },
        { id: "too-long", eventData: eventData({ errorCode: "E".repeat(300) }) },
        { id: "not-json", eventData: "{oops" },
        { id: "wrong-account", eventData: eventData({ recipientAccountId: OTHER.accountId }) },
        { id: "aws-source", eventData: eventData({ eventSource: "s3.amazonaws.com" }) },
        { id: "bad-time", eventData: eventData({ eventTime: "yesterday" }) },
      ],
    };
    const before = server.app.log.endSeq;
    const res = await put(channelArn, body);
    assert.equal(res.status, 200);
    const out = (await res.json()) as {
      successful: Array<{ id: string; eventID: string }>;
      failed: Array<{ id: string; errorCode: string }>;
    };
    assert.deepEqual(
      out.successful.map((s) => s.id),
      ["good-1"],
    );
    assert.deepEqual(Object.fromEntries(out.failed.map((f) => [f.id, f.errorCode])), {
      "bad-checksum": "InvalidChecksum",
      "no-name": "FieldNotFound",
      "too-long": "FieldTooLong",
      "not-json": "InvalidData",
      "wrong-account": "InvalidRecipient",
      "aws-source": "InvalidEventSource",
      "bad-time": "InvalidData",
    });
    // Already in the durable log when the response arrived.
    const stored = logEvents(server.app.log).find((e) => e.eventID === out.successful[0]?.eventID);
    assert.ok(stored && server.app.log.endSeq > before);
    assert.equal(stored.eventCategory, "ActivityAuditLog");
    assert.equal(stored.eventType, "ActivityLog");
    assert.equal((stored.metadata as { channelARN: string }).channelARN, channelArn);
    await server.app.lake.caughtUp(store.id, server.app.log.endSeq);
    const { objects } = await query(
      ct,
      server.app,
      `SELECT eventData.eventName, eventData.userIdentity.principalId, element_at(eventData.requestParameters, 'amount') AS amount,
        metadata.channelARN, eventTime FROM ${store.id} WHERE eventID = '${out.successful[0]?.eventID}'`,
    );
    assert.deepEqual(objects, [
      {
        eventName: "RefundIssued",
        principalId: "alice@example.com",
        amount: "12.5",
        channelARN: channelArn,
        eventTime: "2024-05-01 10:00:00.000",
      },
    ]);
    const status = await ct.send(new GetChannelCommand({ Channel: channelArn }));
    assert.equal(status.IngestionStatus?.LatestIngestionSuccessEventID, out.successful[0]?.eventID);
    assert.ok(status.IngestionStatus?.LatestIngestionErrorCode);
  });

  it("whole-request errors: codes without the Exception suffix", async () => {
    const one = { auditEvents: [{ id: "a", eventData: eventData() }] };
    const code = async (res: Response) => ({
      status: res.status,
      type: ((await res.json()) as { __type: string }).__type,
      header: res.headers.get("x-amzn-errortype"),
    });
    assert.deepEqual(await code(await put("not an arn", one)), {
      status: 400,
      type: "InvalidChannelARN",
      header: "InvalidChannelARN",
    });
    assert.deepEqual(await code(await put(channelArn.replace(/.{4}$/, "0000"), one)), {
      status: 400,
      type: "ChannelNotFound",
      header: "ChannelNotFound",
    });
    assert.equal((await code(await put(channelArn, one, OTHER))).type, "ChannelInsufficientPermission");
    const dup = {
      auditEvents: [
        { id: "a", eventData: eventData() },
        { id: "a", eventData: eventData() },
      ],
    };
    assert.equal((await code(await put(channelArn, dup))).type, "DuplicatedAuditEventId");
    const many = {
      auditEvents: Array.from({ length: 101 }, (_, i) => ({ id: `e${i}`, eventData: eventData() })),
    };
    assert.equal((await code(await put(channelArn, many))).type, "ValidationException");
    assert.equal(
      (await code(await put(channelArn, one, ADMIN, "&externalId=%24%24"))).type,
      "ValidationException",
    );
    const big = {
      auditEvents: [
        { id: "big", eventData: eventData({ requestParameters: { blob: "x".repeat(1_100_000) } }) },
      ],
    };
    assert.equal((await put(channelArn, big)).status, 413);
    // The ID suffix works in place of the ARN, and the call itself is a data event on the channel.
    const byId = await put(channelArn.split("/").pop() as string, one);
    assert.equal(byId.status, 200);
    const call = logEvents(server.app.log).findLast((e) => e.eventSource === "cloudtrail-data.amazonaws.com");
    assert.equal(call?.eventCategory, "Data");
    assert.equal(call?.resources?.[0]?.ARN, channelArn);
  });

  it("aws cloudtrail-data put-audit-events (AWS CLI)", async () => {
    const aws = awsCli(server.url, server.dir.path);
    const data = eventData({ eventName: "CliEvent" });
    const ok = await aws(
      "cloudtrail-data",
      "put-audit-events",
      "--channel-arn",
      channelArn,
      "--audit-events",
      JSON.stringify([{ id: "cli-1", eventData: data, eventDataChecksum: checksum(data) }]),
    );
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout) as { successful: Array<{ id: string }>; failed: unknown[] };
    assert.deepEqual(
      out.successful.map((s) => s.id),
      ["cli-1"],
    );
    assert.deepEqual(out.failed, []);
    const missing = await aws(
      "cloudtrail-data",
      "put-audit-events",
      "--channel-arn",
      channelArn.replace(/.{4}$/, "0000"),
      "--audit-events",
      JSON.stringify([{ id: "cli-2", eventData: data }]),
    );
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ChannelNotFound/);
  });

  it("DeleteChannel", async () => {
    await ct.send(new DeleteChannelCommand({ Channel: channelArn }));
    await assert.rejects(
      ct.send(new GetChannelCommand({ Channel: channelArn })),
      (e: Error) => e.name === "ChannelNotFoundException",
    );
  });
});
