import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type CloudTrailClient,
  CreateChannelCommand,
  DeleteResourcePolicyCommand,
  DescribeQueryCommand,
  GetEventDataStoreCommand,
  GetQueryResultsCommand,
  ListQueriesCommand,
  ListTrailsCommand,
  PutResourcePolicyCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import { ADMIN, OTHER } from "../../test-support/fixtures.js";
import { logEvents } from "../../test-support/log-events.js";
import { cloudTrailClient, startTestServer, type TestServer } from "../../test-support/server.js";
import { signedFetch } from "../../test-support/signed-fetch.js";
import { createStore, policyOf, query, rejects } from "../test-support.js";

const ADMIN_ROOT = `arn:aws:iam::${ADMIN.accountId}:root`;
const OTHER_ROOT = `arn:aws:iam::${OTHER.accountId}:root`;
const OTHER_USER = `arn:aws:iam::${OTHER.accountId}:user/${OTHER.userName}`;

/** What a channel's or a store's resource policy lets callers of another account do, and nothing more. */
describe("resource-based policies: cross-account access", () => {
  let server: TestServer;
  let ct: CloudTrailClient;
  let other: CloudTrailClient;
  const setPolicy = (arn: string, policy: string) =>
    ct.send(new PutResourcePolicyCommand({ ResourceArn: arn, ResourcePolicy: policy }));
  const dropPolicy = (arn: string) => ct.send(new DeleteResourcePolicyCommand({ ResourceArn: arn }));

  before(async () => {
    server = await startTestServer();
    ct = cloudTrailClient(server.url);
    other = cloudTrailClient(server.url, OTHER);
  });
  after(async () => {
    ct?.destroy();
    other?.destroy();
    await server?.stop();
  });

  it("PutAuditEvents from another account: refused without a policy, accepted when the policy allows it", async () => {
    const store = await createStore(ct, "partner-events", {
      RetentionPeriod: 3653,
      AdvancedEventSelectors: [
        { Name: "apps", FieldSelectors: [{ Field: "eventCategory", Equals: ["ActivityAuditLog"] }] },
      ],
    });
    const channel = (
      await ct.send(
        new CreateChannelCommand({
          Name: "partner",
          Source: "Custom",
          Destinations: [{ Type: "EVENT_DATA_STORE", Location: store.arn }],
        }),
      )
    ).ChannelArn as string;
    let n = 0;
    const put = async (creds = OTHER, extra = "") => {
      const eventData = JSON.stringify({
        version: "1.0",
        userIdentity: { type: "CustomUser", principalId: "partner-app" },
        eventSource: "partner.example.com",
        eventName: "Sync",
        eventTime: "2024-05-01T10:00:00Z",
        UID: `uid-${n++}`,
        recipientAccountId: ADMIN.accountId,
      });
      const res = await signedFetch(server.url, {
        service: "cloudtrail-data",
        path: `/PutAuditEvents?channelArn=${encodeURIComponent(channel)}${extra}`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ auditEvents: [{ id: "e1", eventData }] }),
        creds,
      });
      const body = (await res.json()) as { __type?: string; successful?: Array<{ eventID: string }> };
      return { status: res.status, type: body.__type, eventID: body.successful?.[0]?.eventID };
    };
    const refused = { status: 400, type: "ChannelInsufficientPermission", eventID: undefined };
    const action = ["cloudtrail-data:PutAuditEvents"];

    assert.deepEqual(await put(), refused);
    await setPolicy(channel, policyOf(channel, [OTHER_ROOT], action));
    const accepted = await put();
    assert.equal(accepted.status, 200);
    assert.ok(accepted.eventID);
    assert.equal((await put(ADMIN)).status, 200, "the owner still may");

    await setPolicy(channel, policyOf(channel, [OTHER_USER], action));
    assert.equal((await put()).status, 200, "a user principal names the caller");
    await setPolicy(channel, policyOf(channel, ["111122223333"], action));
    assert.deepEqual(await put(), refused, "a policy for a third account does not let this one in");

    const withExternalId = { Condition: { StringEquals: { "cloudtrail:ExternalId": "partner-123" } } };
    await setPolicy(channel, policyOf(channel, [OTHER.accountId], action, withExternalId));
    assert.deepEqual(await put(), refused);
    assert.deepEqual(await put(OTHER, "&externalId=wrong-id"), refused);
    assert.equal((await put(OTHER, "&externalId=partner-123")).status, 200);

    await setPolicy(channel, policyOf(channel, [ADMIN_ROOT], action, { Effect: "Deny" }));
    assert.deepEqual(await put(ADMIN), refused, "the owner is refused when the policy denies it");
    await dropPolicy(channel);
    assert.deepEqual(await put(), refused, "deleting the policy withdraws the grant");
    assert.equal((await put(ADMIN)).status, 200);

    // The partner's event went to the owner's store.
    await server.app.lake.caughtUp(store.id, server.app.log.endSeq);
    const { objects } = await query(
      ct,
      server.app,
      `SELECT recipientAccountId FROM ${store.id} WHERE eventID = '${accepted.eventID}'`,
    );
    assert.deepEqual(objects, [{ recipientAccountId: ADMIN.accountId }]);
  });

  it("queries of another account's store: only while its policy allows them, and only that store", async () => {
    const store = await createStore(ct, "shared-management");
    const theirs = await createStore(other, "their-own");
    for (let i = 0; i < 3; i++) await ct.send(new ListTrailsCommand({}));
    await server.app.lake.caughtUp(store.id, server.app.log.endSeq);
    // Only the three ListTrails calls: the store keeps ingesting this test's own calls.
    const countSql = `SELECT count(*) AS n FROM ${store.id} WHERE eventName = 'ListTrails'`;
    assert.deepEqual((await query(ct, server.app, countSql)).objects, [{ n: "3" }]);
    const start = (sql: string, owner?: string) =>
      other.send(new StartQueryCommand({ QueryStatement: sql, EventDataStoreOwnerAccountId: owner }));
    const notQueryable = /not an event data store of account .* that you may query/;

    await rejects(start(countSql), "InvalidQueryStatementException", notQueryable);
    await rejects(
      other.send(new GetEventDataStoreCommand({ EventDataStore: store.arn })),
      "EventDataStoreNotFoundException",
    );

    const actions = ["StartQuery", "GetQueryResults", "GetEventDataStore", "ListQueries"];
    await setPolicy(
      store.arn,
      policyOf(
        store.arn,
        [OTHER_ROOT],
        actions.map((a) => `cloudtrail:${a}`),
      ),
    );
    const started = await start(countSql);
    assert.equal(started.EventDataStoreOwnerAccountId, ADMIN.accountId);
    await server.app.lake.settled(started.QueryId as string);
    const results = await other.send(new GetQueryResultsCommand({ QueryId: started.QueryId }));
    assert.equal(results.QueryStatus, "FINISHED", results.ErrorMessage);
    assert.deepEqual(results.QueryResultRows, [[{ n: "3" }]]);
    const named = await start(`SELECT eventName FROM ${store.id} LIMIT 1`, ADMIN.accountId);
    assert.equal(named.EventDataStoreOwnerAccountId, ADMIN.accountId);

    await rejects(start(countSql, OTHER.accountId), "InvalidQueryStatementException", notQueryable);
    await rejects(
      start(`SELECT count(*) FROM ${store.id} JOIN ${theirs.id} USING (eventID)`),
      "InvalidQueryStatementException",
      /stores of one account/,
    );
    await rejects(
      other.send(new DescribeQueryCommand({ QueryId: started.QueryId })),
      "AccessDeniedException",
      /cloudtrail:DescribeQuery/,
    );
    await rejects(
      ct.send(new DescribeQueryCommand({ QueryId: started.QueryId })),
      "QueryIdNotFoundException",
    );
    const described = await other.send(new GetEventDataStoreCommand({ EventDataStore: store.arn }));
    assert.equal(described.Name, "shared-management");
    const listed = await other.send(new ListQueriesCommand({ EventDataStore: store.arn }));
    assert.ok(listed.Queries?.some((q) => q.QueryId === started.QueryId));

    await dropPolicy(store.arn);
    await rejects(
      other.send(new GetQueryResultsCommand({ QueryId: started.QueryId })),
      "AccessDeniedException",
      /cloudtrail:GetQueryResults/,
    );
    await rejects(start(countSql), "InvalidQueryStatementException", notQueryable);
    await rejects(
      other.send(new GetEventDataStoreCommand({ EventDataStore: store.arn })),
      "EventDataStoreNotFoundException",
    );
  });
  it("a call on another account's store or channel is recorded for both accounts, under one sharedEventID", async () => {
    const store = await createStore(ct, "owner-sees-copies");
    const recorded = (requestId: string | undefined) =>
      logEvents(server.app.log).filter((e) => e.requestID === requestId);
    const bothAccounts = (requestId: string | undefined, eventName: string, errorCode?: string) => {
      const copies = recorded(requestId);
      assert.deepEqual(
        copies.map((e) => e.recipientAccountId).sort(),
        [ADMIN.accountId, OTHER.accountId].sort(),
      );
      assert.ok(copies[0]?.sharedEventID && copies[0].sharedEventID === copies[1]?.sharedEventID);
      assert.notEqual(copies[0]?.eventID, copies[1]?.eventID);
      for (const e of copies) {
        assert.equal(e.eventName, eventName);
        assert.equal(e.errorCode, errorCode);
        assert.equal(e.userIdentity?.accountId, OTHER.accountId);
      }
    };

    await setPolicy(
      store.arn,
      policyOf(store.arn, [OTHER_ROOT], ["cloudtrail:StartQuery", "cloudtrail:GetEventDataStore"]),
    );
    const sql = `SELECT count(*) FROM ${store.id}`;
    const started = await other.send(new StartQueryCommand({ QueryStatement: sql }));
    bothAccounts(started.$metadata.requestId, "StartQuery");
    const described = await other.send(new GetEventDataStoreCommand({ EventDataStore: store.arn }));
    bothAccounts(described.$metadata.requestId, "GetEventDataStore");
    await dropPolicy(store.arn);
    const refused = await other.send(new StartQueryCommand({ QueryStatement: sql })).catch((e: unknown) => e);
    bothAccounts(
      (refused as { $metadata: { requestId?: string } }).$metadata.requestId,
      "StartQuery",
      "InvalidQueryStatementException",
    );

    // The owner's own call and another account's call on its own store: one record, no link.
    const own = await ct.send(new GetEventDataStoreCommand({ EventDataStore: store.arn }));
    const ownCopies = recorded(own.$metadata.requestId);
    assert.equal(ownCopies.length, 1);
    assert.equal(ownCopies[0]?.sharedEventID, undefined);
    const theirs = await createStore(other, "their-store");
    const theirCall = await other.send(new GetEventDataStoreCommand({ EventDataStore: theirs.arn }));
    assert.deepEqual(
      recorded(theirCall.$metadata.requestId).map((e) => e.recipientAccountId),
      [OTHER.accountId],
    );

    // PutAuditEvents on another account's channel, refused: the channel's owner sees the attempt.
    const activity = await createStore(ct, "owner-sees-attempts", {
      AdvancedEventSelectors: [
        { Name: "apps", FieldSelectors: [{ Field: "eventCategory", Equals: ["ActivityAuditLog"] }] },
      ],
    });
    const channel = (
      await ct.send(
        new CreateChannelCommand({
          Name: "owner-sees-attempts",
          Source: "Custom",
          Destinations: [{ Type: "EVENT_DATA_STORE", Location: activity.arn }],
        }),
      )
    ).ChannelArn as string;
    const res = await signedFetch(server.url, {
      service: "cloudtrail-data",
      path: `/PutAuditEvents?channelArn=${encodeURIComponent(channel)}`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ auditEvents: [{ id: "e1", eventData: "{}" }] }),
      creds: OTHER,
    });
    assert.equal(res.status, 400);
    bothAccounts(
      res.headers.get("x-amzn-requestid") ?? undefined,
      "PutAuditEvents",
      "ChannelInsufficientPermission",
    );
  });
});
