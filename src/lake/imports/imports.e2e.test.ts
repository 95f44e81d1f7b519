import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import {
  CloudTrailClient,
  GetImportCommand,
  ListImportFailuresCommand,
  ListImportsCommand,
  StartImportCommand,
  StopImportCommand,
} from "@aws-sdk/client-cloudtrail";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { runImport } from "../../cli/import-command.js";
import { formatRows, runQuery } from "../../cli/query-command.js";
import { ADMIN } from "../../test-support/fixtures.js";
import {
  cloudTrailClient,
  REPO_ROOT,
  s3TestClient,
  startTestServer,
  type TestServer,
} from "../../test-support/server.js";
import {
  createStore,
  importAndWait,
  invictusFiles,
  invictusRecords,
  query,
  STRATUS,
  upload,
} from "../test-support.js";

const run = promisify(execFile);

/** StartImport and friends from the built-in store and an external S3; `opentrail import` and `opentrail query`. */
describe("imports and the import/query CLI", () => {
  let server: TestServer;
  let ct: CloudTrailClient;
  let s3: S3Client;
  let external: S3rver;
  let externalDir: string;
  const count = async (id: string) =>
    Number((await query(ct, server.app, `SELECT count(*) AS n FROM ${id}`)).objects[0]?.n);

  before(async () => {
    externalDir = mkdtempSync(join(tmpdir(), "ot-import-s3rver-"));
    external = new S3rver({
      port: 0,
      address: "127.0.0.1",
      silent: true,
      directory: externalDir,
      resetOnClose: true,
    });
    const { port } = await external.run();
    const extClient = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    await extClient.send(new CreateBucketCommand({ Bucket: "external-logs" }));
    for (const [name, body] of invictusFiles().slice(0, 10))
      await extClient.send(
        new PutObjectCommand({ Bucket: "external-logs", Key: `AWSLogs/${name}.gz`, Body: gzipSync(body) }),
      );
    extClient.destroy();
    server = await startTestServer({
      OPENTRAIL_IMPORT_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      OPENTRAIL_IMPORT_S3_ACCESS_KEY_ID: "S3RVER",
      OPENTRAIL_IMPORT_S3_SECRET_ACCESS_KEY: "S3RVER",
    });
    ct = cloudTrailClient(server.url);
    s3 = s3TestClient(server.url);
  });
  after(async () => {
    await server?.stop();
    await external?.close();
    rmSync(externalDir, { recursive: true, force: true });
  });

  it("imports plain and gzip log files and JSON arrays; malformed files are failures; idempotent by eventID", async () => {
    const store = await createStore(ct, "imported", { RetentionPeriod: 3653, StartIngestion: false });
    const files = invictusFiles();
    const stratus = readdirSync(STRATUS).slice(0, 5);
    await upload(s3, "mixed-logs", "in", [
      ...files.slice(0, 30),
      ...files.slice(30).map(([n, b]) => [`${n}.gz`, gzipSync(b)] as [string, Buffer]),
      ...stratus.map((n) => [`stratus/${n}`, readFileSync(join(STRATUS, n))] as [string, Buffer]),
      ["broken.json", Buffer.from('{"Records": [')],
      ["not-cloudtrail.json", Buffer.from('{"hello": "world"}')],
      ["bad.gz", Buffer.from([0x1f, 0x8b, 1, 2, 3])],
    ]);
    const first = await importAndWait(ct, server.app, store.arn, "s3://mixed-logs/in");
    const stratusEvents = stratus.flatMap(
      (n) => JSON.parse(readFileSync(join(STRATUS, n), "utf8")) as unknown[],
    );
    const expected =
      invictusRecords().length + new Set(stratusEvents.map((e) => (e as { eventID: string }).eventID)).size;
    assert.equal(first.ImportStatus, "COMPLETED");
    assert.equal(first.ImportStatistics?.FailedEntries, 3);
    assert.equal(first.ImportStatistics?.FilesCompleted, files.length + stratus.length);
    assert.equal(first.ImportStatistics?.PrefixesFound, 2);
    assert.equal(first.ImportStatistics?.PrefixesCompleted, 2);
    assert.equal(first.ImportStatistics?.EventsCompleted, expected);
    assert.equal(await count(store.id), expected);
    const failures = await ct.send(new ListImportFailuresCommand({ ImportId: first.ImportId }));
    assert.deepEqual(
      failures.Failures?.map((f) => [f.Location, f.Status, f.ErrorType]),
      [
        ["s3://mixed-logs/in/bad.gz", "FAILED", "DecompressionError"],
        ["s3://mixed-logs/in/broken.json", "FAILED", "InvalidJson"],
        ["s3://mixed-logs/in/not-cloudtrail.json", "FAILED", "InvalidLogFile"],
      ],
    );
    const again = await importAndWait(ct, server.app, store.arn, "s3://mixed-logs/in");
    assert.equal(again.ImportStatistics?.EventsCompleted, 0);
    assert.equal(await count(store.id), expected);
    const listed = await ct.send(new ListImportsCommand({ Destination: store.arn }));
    assert.equal(listed.Imports?.length, 2);
  });

  it("imports from the configured external S3; time window; errors", async () => {
    const store = await createStore(ct, "external", { RetentionPeriod: 3653, StartIngestion: false });
    const done = await importAndWait(ct, server.app, store.arn, "s3://external-logs/AWSLogs");
    const ten = invictusFiles()
      .slice(0, 10)
      .flatMap(([, b]) => JSON.parse(b.toString()).Records as Array<{ eventTime: string }>);
    assert.equal(done.ImportStatistics?.EventsCompleted, ten.length);
    const windowed = await createStore(ct, "windowed", { RetentionPeriod: 3653, StartIngestion: false });
    const start = new Date("2023-07-10T11:50:00Z");
    const { ImportId } = await ct.send(
      new StartImportCommand({
        Destinations: [windowed.arn],
        StartEventTime: start,
        ImportSource: {
          S3: {
            S3LocationUri: "s3://external-logs/AWSLogs",
            S3BucketRegion: "us-east-1",
            S3BucketAccessRoleArn: `arn:aws:iam::${ADMIN.accountId}:role/x`,
          },
        },
      }),
    );
    await server.app.lake.runtime.imports.settled(ImportId as string);
    const got = await ct.send(new GetImportCommand({ ImportId }));
    assert.equal(
      got.ImportStatistics?.EventsCompleted,
      ten.filter((r) => Date.parse(r.eventTime) >= start.getTime()).length,
    );
    const bad = (uri: string, role = `arn:aws:iam::${ADMIN.accountId}:role/x`) =>
      ct.send(
        new StartImportCommand({
          Destinations: [store.arn],
          ImportSource: {
            S3: { S3LocationUri: uri, S3BucketRegion: "us-east-1", S3BucketAccessRoleArn: role },
          },
        }),
      );
    await assert.rejects(
      bad("s3://no-such-bucket-anywhere/x"),
      (e: Error) => e.name === "InvalidImportSourceException",
    );
    await assert.rejects(
      bad("https://example.com/x"),
      (e: Error) => e.name === "InvalidImportSourceException",
    );
    await assert.rejects(
      bad("s3://external-logs/x", "not-a-role"),
      (e: Error) => e.name === "InvalidImportSourceException",
    );
    await assert.rejects(
      ct.send(new GetImportCommand({ ImportId: "00000000-0000-0000-0000-000000000000" })),
      (e: Error) => e.name === "ImportNotFoundException",
    );
    const stopped = await ct.send(new StopImportCommand({ ImportId }));
    assert.equal(stopped.ImportStatus, "COMPLETED");
  });

  it("opentrail import <folder> and opentrail query (through the API, like the AWS CLI)", async () => {
    const store = await createStore(ct, "cli-import", { RetentionPeriod: 3653, StartIngestion: false });
    const env = {
      PATH: process.env.PATH,
      HOME: server.dir.path,
      AWS_ENDPOINT_URL: server.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
      AWS_CONFIG_FILE: join(server.dir.path, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(server.dir.path, "none"),
    };
    const cli = (...args: string[]) =>
      run(process.execPath, ["--import", "tsx", join(REPO_ROOT, "src/cli/main.ts"), ...args], {
        env,
        cwd: REPO_ROOT,
        timeout: 60_000,
      });
    const folder = join(REPO_ROOT, "../shared/data/invictus-aws-dataset/CloudTrail");
    const first = await cli("import", folder, "--event-data-store", store.id);
    assert.match(first.stdout, /COMPLETED: 55 files, 2900 new events, 0 failed files/);
    const sql = `SELECT eventName, count(*) AS n FROM ${store.id} GROUP BY eventName ORDER BY n DESC, eventName LIMIT 3`;
    const csv = await cli("query", sql, "--output", "csv");
    assert.equal(csv.stdout, "eventName,n\nDecrypt,178\nDescribeRouteTables,163\nGetUser,130\n");
    // The same commands in-process (spawning the CLI costs seconds each): re-import adds nothing,
    // the table and JSON outputs, a refused statement.
    const clients = { endpoint: server.url, region: "us-east-1", credentials: ADMIN };
    const sdk = new CloudTrailClient(clients);
    const s3c = new S3Client({ ...clients, forcePathStyle: true });
    const again = await runImport(sdk, s3c, folder, store.arn, () => undefined);
    assert.match(again, /COMPLETED: 55 files, 0 new events/);
    const rows = await runQuery(sdk, sql, () => undefined);
    assert.match(
      formatRows(rows, "table"),
      /^eventName\s+n\n-+\s+-+\nDecrypt\s+178\nDescribeRouteTables\s+163\nGetUser\s+130\n\(3 rows\)\n$/,
    );
    assert.deepEqual(JSON.parse(formatRows(rows, "json"))[0], { eventName: "Decrypt", n: "178" });
    await assert.rejects(
      runQuery(sdk, "DROP TABLE x", () => undefined),
      (e: Error) => /Only SELECT/.test(e.message),
    );
    sdk.destroy();
    s3c.destroy();
  });
});
