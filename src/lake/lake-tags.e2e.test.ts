import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  AddTagsCommand,
  type CloudTrailClient,
  CreateChannelCommand,
  CreateTrailCommand,
  DeleteChannelCommand,
  DeleteEventDataStoreCommand,
  ListTagsCommand,
  RemoveTagsCommand,
} from "@aws-sdk/client-cloudtrail";
import { resolveConfig } from "../config/config.js";
import { silentLogger } from "../config/logger.js";
import { trailBucket } from "../insights/test-support.js";
import { type OpenTrail, startOpenTrail } from "../main.js";
import { OTHER, tempDir, writeIdentitiesFile } from "../test-support/fixtures.js";
import { cloudTrailClient } from "../test-support/server.js";
import { createStore } from "./test-support.js";

const rejects = (p: Promise<unknown>, name: string) =>
  assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, e.message);
    return true;
  });

/** AddTags/RemoveTags/ListTags on event data stores and channels, next to trails, as CloudTrail. */
describe("tags on Lake resources", () => {
  const dir = tempDir();
  const config = resolveConfig(
    { port: 0, host: "127.0.0.1", data: join(dir.path, "data"), identities: writeIdentitiesFile(dir.path) },
    { OPENTRAIL_LOG_LEVEL: "silent" },
  );
  let app: OpenTrail;
  let ct: CloudTrailClient;
  let store: string;
  let channel: string;
  let trail: string;
  const tagsOf = async (arn: string) =>
    (await ct.send(new ListTagsCommand({ ResourceIdList: [arn] }))).ResourceTagList?.[0]?.TagsList;

  before(async () => {
    app = await startOpenTrail(config, silentLogger);
    ct = cloudTrailClient(app.url);
    store = (
      await createStore(ct, "app-activity", {
        AdvancedEventSelectors: [
          { Name: "apps", FieldSelectors: [{ Field: "eventCategory", Equals: ["ActivityAuditLog"] }] },
        ],
        TagsList: [{ Key: "team", Value: "audit" }],
      })
    ).arn;
    const created = await ct.send(
      new CreateChannelCommand({
        Name: "billing-app",
        Source: "Custom",
        Destinations: [{ Type: "EVENT_DATA_STORE", Location: store }],
        Tags: [{ Key: "app", Value: "billing" }],
      }),
    );
    channel = created.ChannelArn as string;
    await trailBucket(app.url, "tag-trail-bucket");
    trail = (await ct.send(new CreateTrailCommand({ Name: "tagged", S3BucketName: "tag-trail-bucket" })))
      .TrailARN as string;
  });
  after(async () => {
    ct?.destroy();
    await app?.stop();
    dir.remove();
  });

  it("adds, replaces, lists and removes tags of stores and channels, and keeps them across a restart", async () => {
    assert.deepEqual(await tagsOf(store), [{ Key: "team", Value: "audit" }]);
    assert.deepEqual(await tagsOf(channel), [{ Key: "app", Value: "billing" }]);
    await ct.send(
      new AddTagsCommand({
        ResourceId: store,
        TagsList: [
          { Key: "team", Value: "security" },
          { Key: "env", Value: "prod" },
        ],
      }),
    );
    await ct.send(new AddTagsCommand({ ResourceId: channel, TagsList: [{ Key: "owner" }] }));
    await ct.send(new AddTagsCommand({ ResourceId: trail, TagsList: [{ Key: "kind", Value: "trail" }] }));
    await ct.send(new RemoveTagsCommand({ ResourceId: channel, TagsList: [{ Key: "app" }] }));

    await app.stop();
    app = await startOpenTrail(config, silentLogger);
    ct.destroy();
    ct = cloudTrailClient(app.url);
    const listed = await ct.send(new ListTagsCommand({ ResourceIdList: [store, channel, trail] }));
    assert.deepEqual(listed.ResourceTagList, [
      {
        ResourceId: store,
        TagsList: [
          { Key: "team", Value: "security" },
          { Key: "env", Value: "prod" },
        ],
      },
      { ResourceId: channel, TagsList: [{ Key: "owner" }] },
      { ResourceId: trail, TagsList: [{ Key: "kind", Value: "trail" }] },
    ]);
  });

  it("answers CloudTrail's errors for unknown, foreign, unsupported and invalid resources and tags", async () => {
    const unknownStore = store.replace(/[0-9a-f]{12}$/, "000000000000");
    await rejects(
      ct.send(new AddTagsCommand({ ResourceId: unknownStore, TagsList: [{ Key: "a" }] })),
      "EventDataStoreNotFoundException",
    );
    await rejects(
      ct.send(new ListTagsCommand({ ResourceIdList: [channel.replace(/[0-9a-f]{12}$/, "000000000000")] })),
      "ChannelNotFoundException",
    );
    await rejects(
      ct.send(
        new AddTagsCommand({
          ResourceId: "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/mine",
          TagsList: [{ Key: "a" }],
        }),
      ),
      "ResourceNotFoundException",
    );
    await rejects(
      ct.send(new AddTagsCommand({ ResourceId: "not-an-arn", TagsList: [{ Key: "a" }] })),
      "CloudTrailARNInvalidException",
    );
    const other = cloudTrailClient(app.url, OTHER);
    await rejects(
      other.send(new ListTagsCommand({ ResourceIdList: [store] })),
      "EventDataStoreNotFoundException",
    );
    await rejects(
      other.send(new RemoveTagsCommand({ ResourceId: channel, TagsList: [{ Key: "owner" }] })),
      "ChannelNotFoundException",
    );
    other.destroy();
    await rejects(
      ct.send(new AddTagsCommand({ ResourceId: store, TagsList: [{ Key: "aws:reserved", Value: "x" }] })),
      "InvalidTagParameterException",
    );
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await rejects(
      ct.send(new AddTagsCommand({ ResourceId: store, TagsList: many })),
      "TagsLimitExceededException",
    );
    assert.equal((await tagsOf(store))?.length, 2, "a refused AddTags changes nothing");
  });

  it("a store pending deletion takes no tag changes", async () => {
    // A store a channel delivers to cannot be deleted: the channel goes first.
    await ct.send(new DeleteChannelCommand({ Channel: channel }));
    await ct.send(new DeleteEventDataStoreCommand({ EventDataStore: store }));
    await rejects(
      ct.send(new AddTagsCommand({ ResourceId: store, TagsList: [{ Key: "late" }] })),
      "InactiveEventDataStoreException",
    );
  });
});
