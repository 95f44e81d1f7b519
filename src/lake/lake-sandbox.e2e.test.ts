import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CloudTrailClient, ListTrailsCommand, StartQueryCommand } from "@aws-sdk/client-cloudtrail";
import { OTHER } from "../test-support/fixtures.js";
import { cloudTrailClient, startTestServer, type TestServer } from "../test-support/server.js";
import { createStore, query } from "./test-support.js";

/**
 * Every way out of the query sandbox a user might try, through the real StartQuery: each must
 * be refused with InvalidQueryStatementException and a message saying what was refused.
 */
describe("Lake query sandbox", () => {
  let server: TestServer;
  let ct: CloudTrailClient;
  let mine: { arn: string; id: string };
  let theirs: { arn: string; id: string };
  let theirDir: string;

  before(async () => {
    server = await startTestServer();
    ct = cloudTrailClient(server.url);
    mine = await createStore(ct, "mine");
    theirs = await createStore(cloudTrailClient(server.url, OTHER), "theirs");
    await cloudTrailClient(server.url, OTHER).send(new ListTrailsCommand({}));
    await server.app.lake.caughtUp(theirs.id, server.app.log.endSeq);
    theirDir = server.app.lake.runtime.stores.get(theirs.id)?.files.dir as string;
  });
  after(async () => {
    await server?.stop();
  });

  const refused = (sql: () => string, message: RegExp) => async () => {
    await assert.rejects(ct.send(new StartQueryCommand({ QueryStatement: sql() })), (e: Error) => {
      assert.equal(e.name, "InvalidQueryStatementException", `${sql()}: ${e.name} ${e.message}`);
      assert.match(e.message, message);
      return true;
    });
  };

  const onlySelect = /Only SELECT statements/;
  it(
    "DELETE is refused",
    refused(() => `DELETE FROM ${mine.id}`, onlySelect),
  );
  it(
    "INSERT is refused",
    refused(() => `INSERT INTO ${mine.id} SELECT * FROM ${mine.id}`, onlySelect),
  );
  it(
    "CREATE TABLE AS is refused",
    refused(() => `CREATE TABLE t AS SELECT * FROM ${mine.id}`, onlySelect),
  );
  it(
    "COPY TO a file is refused",
    refused(() => `COPY (SELECT * FROM ${mine.id}) TO '/tmp/stolen.csv'`, onlySelect),
  );
  it(
    "ATTACH is refused",
    refused(() => "ATTACH '/tmp/other.duckdb' AS other", onlySelect),
  );
  it(
    "SET is refused",
    refused(() => "SET enable_external_access = true", onlySelect),
  );
  it(
    "PRAGMA is refused",
    refused(() => "PRAGMA database_list", onlySelect),
  );
  it("INSTALL/LOAD of extensions is refused", async () => {
    await refused(() => "INSTALL httpfs", onlySelect)();
    await refused(() => "LOAD httpfs", onlySelect)();
  });
  it(
    "EXPORT DATABASE is refused",
    refused(() => "EXPORT DATABASE '/tmp/dump'", onlySelect),
  );
  it("DESCRIBE/SUMMARIZE are refused", async () => {
    await refused(() => `DESCRIBE ${mine.id}`, /SHOW is not allowed/)();
    await refused(() => `SUMMARIZE ${mine.id}`, /SHOW is not allowed/)();
  });
  it(
    "two statements are refused",
    refused(() => `SELECT 1 FROM ${mine.id}; SELECT 2 FROM ${mine.id}`, /exactly one SELECT/),
  );
  it("file table functions are refused", async () => {
    await refused(() => "SELECT * FROM read_csv('/etc/passwd')", /table function read_csv is not allowed/)();
    await refused(() => "SELECT * FROM read_text('/etc/hostname')", /table function read_text/)();
    await refused(
      () => `SELECT * FROM read_parquet('${theirDir}/**/*.parquet')`,
      /table function read_parquet/,
    )();
    await refused(() => "SELECT * FROM glob('/*')", /table function glob/)();
  });
  it(
    "network reads are refused",
    refused(() => "SELECT * FROM read_json('http://127.0.0.1:1/x')", /read_json/),
  );
  it(
    "files named as tables are refused",
    refused(() => "SELECT * FROM '/etc/passwd'", /Reading files/),
  );
  it("SQL-executing and settings functions are refused", async () => {
    await refused(() => "SELECT * FROM query('SELECT 42')", /table function query/)();
    await refused(() => "SELECT * FROM duckdb_settings()", /table function duckdb_settings/)();
    await refused(
      () => `SELECT current_setting('allowed_directories') FROM ${mine.id}`,
      /current_setting is not allowed/,
    )();
    await refused(
      () => `SELECT json_execute_serialized_sql('{}') FROM ${mine.id}`,
      /json_execute_serialized_sql/,
    )();
  });
  it("schema- and catalog-qualified names are refused", async () => {
    await refused(() => `SELECT * FROM main."${mine.id}"`, /Qualified table names/)();
    await refused(() => "SELECT * FROM system.main.duckdb_tables", /Qualified table names/)();
  });
  it(
    "another account's event data store is refused",
    refused(() => `SELECT * FROM ${theirs.id}`, /not an event data store of account 123456789012/),
  );
  it(
    "an unknown table is refused",
    refused(() => "SELECT * FROM cloudtrail_logs", /not an event data store/),
  );
  it(
    "a query reading no event data store is refused",
    refused(() => "SELECT 42", /at least one event data store/),
  );
  it(
    "syntax errors are refused with DuckDB's message",
    refused(() => `SELEC * FROM ${mine.id}`, /not valid: .*syntax error/i),
  );
  it("a statement over 10,000 characters is InvalidParameter", async () => {
    await assert.rejects(
      ct.send(new StartQueryCommand({ QueryStatement: `SELECT 1 FROM ${mine.id} ${" ".repeat(10_001)}` })),
      (e: Error) => e.name === "InvalidParameterException",
    );
  });
  it("what is allowed still works: CTEs, subqueries, UNNEST, window functions", async () => {
    const { objects } = await query(
      ct,
      server.app,
      `WITH calls AS (SELECT eventName, resources FROM ${mine.id})
       SELECT count(*) AS n, (SELECT count(*) FROM ${mine.id}) AS total,
         max(rank) AS r FROM (SELECT eventName, rank() OVER (ORDER BY eventName) AS rank FROM calls)
       CROSS JOIN (SELECT unnest([1, 2]) AS x)`,
    );
    assert.equal(objects.length, 1);
    assert.equal(Number(objects[0]?.n), 2 * Number(objects[0]?.total));
  });
});
