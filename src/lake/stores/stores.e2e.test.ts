import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  type CloudTrailClient,
  CreateEventDataStoreCommand,
  DeleteEventDataStoreCommand,
  DescribeTrailsCommand,
  GetEventDataStoreCommand,
  ListEventDataStoresCommand,
  ListTrailsCommand,
  RestoreEventDataStoreCommand,
  StartEventDataStoreIngestionCommand,
  StartQueryCommand,
  StopEventDataStoreIngestionCommand,
  UpdateEventDataStoreCommand,
} from "@aws-sdk/client-cloudtrail";
import { OTHER } from "../../test-support/fixtures.js";
import {
  cloudTrailClient,
  s3TestClient,
  startTestServer,
  type TestServer,
} from "../../test-support/server.js";
import { awsCli, createStore, importAndWait, invictusFiles, query, upload } from "../test-support.js";

const rejects = (p: Promise<unknown>, name: string, message?: RegExp) =>
  assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });

/** Event data stores: lifecycle, CloudTrail's errors and limits, selectors, retention, compaction. */
describe("event data stores", () => {
  let server: TestServer;
  let ct: CloudTrailClient;
  const count = async (id: string) =>
    Number((await query(ct, server.app, `SELECT count(*) AS n FROM ${id}`)).objects[0]?.n);

  before(async () => {
    server = await startTestServer();
    ct = cloudTrailClient(server.url);
  });
  after(async () => {
    await server?.stop();
  });

  it("CreateEventDataStore defaults, Get, List; validation errors", async () => {
    const created = await ct.send(new CreateEventDataStoreCommand({ Name: "defaults" }));
    assert.equal(created.Status, "CREATED");
    assert.equal(created.RetentionPeriod, 366);
    assert.equal(created.MultiRegionEnabled, true);
    assert.equal(created.TerminationProtectionEnabled, true);
    assert.equal(created.BillingMode, "EXTENDABLE_RETENTION_PRICING");
    assert.deepEqual(created.AdvancedEventSelectors, [
      {
        Name: "Default management events",
        FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }],
      },
    ]);
    assert.match(
      created.EventDataStoreArn ?? "",
      /^arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore\/[0-9a-f-]{36}$/,
    );
    const got = await ct.send(
      new GetEventDataStoreCommand({ EventDataStore: created.EventDataStoreArn?.split("/")[1] }),
    );
    assert.equal(got.Status, "ENABLED");
    const listed = await ct.send(new ListEventDataStoresCommand({}));
    assert.ok(listed.EventDataStores?.some((s) => s.EventDataStoreArn === created.EventDataStoreArn));

    await rejects(
      ct.send(new CreateEventDataStoreCommand({ Name: "defaults" })),
      "EventDataStoreAlreadyExistsException",
    );
    await rejects(
      ct.send(new CreateEventDataStoreCommand({ Name: "no spaces" })),
      "InvalidParameterException",
    );
    await rejects(
      ct.send(new CreateEventDataStoreCommand({ Name: "short", RetentionPeriod: 6 })),
      "InvalidParameterException",
      /7 and 3653/,
    );
    await rejects(
      ct.send(new CreateEventDataStoreCommand({ Name: "long", RetentionPeriod: 3654 })),
      "InvalidParameterException",
    );
    await rejects(
      ct.send(
        new CreateEventDataStoreCommand({
          Name: "fixed",
          BillingMode: "FIXED_RETENTION_PRICING",
          RetentionPeriod: 3000,
        }),
      ),
      "InvalidParameterException",
      /2557/,
    );
    await rejects(
      ct.send(
        new CreateEventDataStoreCommand({
          Name: "sel",
          AdvancedEventSelectors: [{ FieldSelectors: [{ Field: "eventName", Equals: ["X"] }] }],
        }),
      ),
      "InvalidEventSelectorsException",
    );
    await rejects(
      ct.send(
        new CreateEventDataStoreCommand({
          Name: "mixed",
          AdvancedEventSelectors: [
            { FieldSelectors: [{ Field: "eventCategory", Equals: ["ActivityAuditLog"] }] },
            { FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] },
          ],
        }),
      ),
      "InvalidEventSelectorsException",
    );
    await rejects(
      ct.send(new GetEventDataStoreCommand({ EventDataStore: "arn:aws:cloudtrail:nope" })),
      "EventDataStoreARNInvalidException",
    );
    await rejects(
      ct.send(new GetEventDataStoreCommand({ EventDataStore: "00000000-0000-0000-0000-000000000000" })),
      "EventDataStoreNotFoundException",
    );
    await rejects(
      ct.send(new ListEventDataStoresCommand({ MaxResults: 1001 })),
      "InvalidMaxResultsException",
    );
  });

  it("termination protection, PENDING_DELETION, restore, stop and start ingestion", async () => {
    const { EventDataStoreArn: arn } = await ct.send(new CreateEventDataStoreCommand({ Name: "protected" }));
    await rejects(
      ct.send(new DeleteEventDataStoreCommand({ EventDataStore: arn })),
      "EventDataStoreTerminationProtectedException",
    );
    await ct.send(
      new UpdateEventDataStoreCommand({ EventDataStore: arn, TerminationProtectionEnabled: false }),
    );
    await ct.send(new DeleteEventDataStoreCommand({ EventDataStore: arn }));
    assert.equal(
      (await ct.send(new GetEventDataStoreCommand({ EventDataStore: arn }))).Status,
      "PENDING_DELETION",
    );
    await rejects(
      ct.send(new StartQueryCommand({ QueryStatement: `SELECT * FROM ${arn?.split("/")[1]}` })),
      "InactiveEventDataStoreException",
    );
    await rejects(
      ct.send(new UpdateEventDataStoreCommand({ EventDataStore: arn, RetentionPeriod: 30 })),
      "InactiveEventDataStoreException",
    );
    const restored = await ct.send(new RestoreEventDataStoreCommand({ EventDataStore: arn }));
    assert.equal(restored.Status, "ENABLED");
    await rejects(
      ct.send(new RestoreEventDataStoreCommand({ EventDataStore: arn })),
      "InvalidEventDataStoreStatusException",
    );
    await ct.send(new StopEventDataStoreIngestionCommand({ EventDataStore: arn }));
    assert.equal(
      (await ct.send(new GetEventDataStoreCommand({ EventDataStore: arn }))).Status,
      "STOPPED_INGESTION",
    );
    await rejects(
      ct.send(new StopEventDataStoreIngestionCommand({ EventDataStore: arn })),
      "InvalidEventDataStoreStatusException",
    );
    await ct.send(new StartEventDataStoreIngestionCommand({ EventDataStore: arn }));
    assert.equal((await ct.send(new GetEventDataStoreCommand({ EventDataStore: arn }))).Status, "ENABLED");
  });

  it("selectors choose what is ingested (the trails' selector code), per account", async () => {
    const only = await createStore(ct, "only-list-trails", {
      AdvancedEventSelectors: [
        {
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Management"] },
            { Field: "eventName", Equals: ["ListTrails"] },
          ],
        },
      ],
    });
    await ct.send(new ListTrailsCommand({}));
    await ct.send(new DescribeTrailsCommand({}));
    await cloudTrailClient(server.url, OTHER).send(new ListTrailsCommand({}));
    await server.app.lake.caughtUp(only.id, server.app.log.endSeq);
    const { objects } = await query(ct, server.app, `SELECT eventName, recipientAccountId FROM ${only.id}`);
    assert.deepEqual(objects, [{ eventName: "ListTrails", recipientAccountId: "123456789012" }]);
  });

  it("retention: expired events are invisible at once and their files deleted by maintenance", async () => {
    const s3 = s3TestClient(server.url);
    await upload(s3, "retention-src", "logs", invictusFiles().slice(0, 5));
    const old = await createStore(ct, "old-events", { RetentionPeriod: 3653, StartIngestion: false });
    await importAndWait(ct, server.app, old.arn, "s3://retention-src/logs");
    assert.ok((await count(old.id)) > 0);
    await ct.send(new UpdateEventDataStoreCommand({ EventDataStore: old.arn, RetentionPeriod: 7 }));
    assert.equal(await count(old.id), 0);
    await server.app.lake.maintain();
    assert.equal(server.app.lake.runtime.stores.get(old.id)?.files.list.length, 0);
    const week = await createStore(ct, "week", { RetentionPeriod: 7, StartIngestion: false });
    const imported = await importAndWait(ct, server.app, week.arn, "s3://retention-src/logs");
    assert.equal(imported.ImportStatistics?.EventsCompleted, 0);
  });

  it("compaction merges small files; queries see the same events", async () => {
    const store = await createStore(ct, "compact-me");
    const files = () => server.app.lake.runtime.stores.get(store.id)?.files.list.length ?? 0;
    for (let i = 0; i < 8; i++) {
      await ct.send(new ListTrailsCommand({}));
      await server.app.lake.caughtUp(store.id, server.app.log.endSeq);
    }
    const listTrails = async () =>
      (await query(ct, server.app, `SELECT count(*) AS n FROM ${store.id} WHERE eventName = 'ListTrails'`))
        .objects[0]?.n;
    assert.equal(await listTrails(), "8");
    // Eight writes made eight small files; compaction (scheduled after writes, or this round)
    // merges them.
    await server.app.lake.maintain();
    assert.ok(files() < 8, `files after compaction: ${files()}`);
    assert.equal(await listTrails(), "8");
  });

  it("a server stopped right after ingesting schedules no compaction on its removed data folder", async () => {
    const other = await startTestServer();
    try {
      const otherCt = cloudTrailClient(other.url);
      const store = await createStore(otherCt, "stop-soon");
      // Small files of one day: each written file schedules a compaction a second later.
      for (let i = 0; i < 8; i++) {
        await otherCt.send(new ListTrailsCommand({}));
        await other.app.lake.caughtUp(store.id, other.app.log.endSeq);
      }
    } finally {
      await other.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(existsSync(other.dir.path), false, "nothing recreated the removed data folder");
  });

  it("the AWS CLI manages event data stores", async () => {
    const aws = awsCli(server.url, server.dir.path);
    const created = await aws(
      "cloudtrail",
      "create-event-data-store",
      "--name",
      "from-cli",
      "--retention-period",
      "90",
      "--no-termination-protection-enabled",
    );
    assert.equal(created.code, 0, created.stderr);
    const arn = JSON.parse(created.stdout).EventDataStoreArn as string;
    const listed = await aws("cloudtrail", "list-event-data-stores");
    assert.ok(
      JSON.parse(listed.stdout).EventDataStores.some(
        (s: { EventDataStoreArn: string }) => s.EventDataStoreArn === arn,
      ),
    );
    const bad = await aws(
      "cloudtrail",
      "get-event-data-store",
      "--event-data-store",
      "00000000-0000-0000-0000-000000000000",
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /EventDataStoreNotFoundException/);
  });
  it("at most 10 per Region (pending deletion included); another account sees none of them", async () => {
    const existing = (await ct.send(new ListEventDataStoresCommand({}))).EventDataStores?.length ?? 0;
    for (let i = existing; i < 10; i++) await createStore(ct, `fill-${i}`, { StartIngestion: false });
    await rejects(
      ct.send(new CreateEventDataStoreCommand({ Name: "eleventh" })),
      "EventDataStoreMaxLimitExceededException",
    );
    const other = cloudTrailClient(server.url, OTHER);
    assert.deepEqual((await other.send(new ListEventDataStoresCommand({}))).EventDataStores, []);
    const mine = (await ct.send(new ListEventDataStoresCommand({}))).EventDataStores?.[0]?.EventDataStoreArn;
    await rejects(
      other.send(new GetEventDataStoreCommand({ EventDataStore: mine })),
      "EventDataStoreNotFoundException",
    );
  });
});
