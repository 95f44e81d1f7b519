import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe } from "node:test";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { ExternalObjectStore } from "./external-store.js";
import type { ObjectStore } from "./object-store.js";
import { objectStoreContract } from "./object-store-contract.js";
import { type Fixture, makeFixture, OWNER, startAdapter } from "./test-support.js";

describe("ObjectStore contract: built-in store", () => {
  let fx: Fixture;
  before(async () => {
    fx = makeFixture();
    await fx.service.store.createBucket("contract", { ownerAccountId: OWNER.accountId });
    fx.service.store.listPageSize = 7;
  });
  after(async () => fx?.close());
  objectStoreContract(() => fx.service.store, "contract");
});

describe("ObjectStore contract: external S3 (s3rver)", () => {
  let dir: string;
  let server: S3rver;
  let store: ExternalObjectStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "opentrail-s3rver-"));
    server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, resetOnClose: true });
    const { port } = await server.run();
    store = new ExternalObjectStore({
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      forcePathStyle: true,
      // s3rver 3.7.1 answers InternalError to a truncated ListObjectsV2 page, so one page here.
    });
    await store.client.send(new CreateBucketCommand({ Bucket: "contract" }));
  });
  after(async () => {
    store?.client.destroy();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  objectStoreContract(() => store as ObjectStore, "contract");
});

describe("ObjectStore contract: external S3 client against OpenTrail's own S3 API", () => {
  let fx: Fixture;
  let adapter: Awaited<ReturnType<typeof startAdapter>>;
  let store: ExternalObjectStore;
  before(async () => {
    fx = makeFixture();
    adapter = await startAdapter(fx.service, () => OWNER);
    store = new ExternalObjectStore({
      endpoint: adapter.url,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
      forcePathStyle: true,
      listPageSize: 7,
    });
    await store.client.send(new CreateBucketCommand({ Bucket: "contract" }));
  });
  after(async () => {
    store?.client.destroy();
    await adapter?.close();
    await fx?.close();
  });
  objectStoreContract(() => store as ObjectStore, "contract");
});
